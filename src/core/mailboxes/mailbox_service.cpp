#include "core/mailboxes/mailbox_service.h"

#include <spdlog/spdlog.h>

#include "base/crypto.h"
#include "base/ids.h"
#include "core/audit/audit_log.h"
#include "core/billing/limits.h"
#include "core/like_pattern.h"
#include "core/mail/folders.h"
#include "core/mailboxes/mailbox_names.h"
#include "core/workspaces/workspace_service.h"

namespace mailjuke::core {
namespace {

// The columns mailboxJson() reads, in its order; parameters: (today, workspace).
constexpr const char* kMailboxSelect =
    "SELECT m.id, m.domain_id, d.name, m.local_part, m.first_name, m.last_name, m.daily_limit, "
    "m.signature, m.forward_to, m.status, m.created_at, m.updated_at, COALESCE(c.sent, 0), "
    "COALESCE(c.bounced, 0), COALESCE(c.received, 0) FROM mailboxes m "
    "JOIN domains d ON d.id = m.domain_id "
    "LEFT JOIN mailbox_counters c ON c.mailbox_id = m.id AND c.day = ? "
    "WHERE m.workspace_id = ?";

}  // namespace

Status bumpMailboxVersion(store::Tx& tx) {
  MJ_TRY(tx.exec("UPDATE mailbox_state SET version = version + 1 WHERE id = 1"));
  return {};
}

std::string displayName(const std::string& first, const std::string& last) {
  return first + (first.empty() || last.empty() ? "" : " ") + last;
}

crypto::PasswordCost MailboxService::passwordCost(bool chosen) const {
  const auto& s = ctx_.settings;
  return chosen ? crypto::PasswordCost{s.password_ops, s.password_mem_bytes}
                : crypto::PasswordCost{s.mail.generated_password_ops,
                                       s.mail.generated_password_mem_bytes};
}

std::string MailboxService::today() const { return formatDate(ctx_.clock.nowSeconds()); }

void MailboxService::refreshDirectory() {
  if (!directory_) return;
  if (auto st = directory_->refresh(); !st.ok())
    spdlog::warn("mail directory: refresh failed: {}", st.error().message);
}

Json MailboxService::settingsJson(const std::string& address) const {
  const auto& m = ctx_.settings.mail;
  auto endpoint = [&](int port, const char* security) {
    return Json{{"host", m.host}, {"port", port}, {"security", security}, {"username", address}};
  };
  return {{"smtp", endpoint(m.submission_port, "STARTTLS")},
          {"smtp_ssl", endpoint(m.submissions_port, "SSL/TLS")},
          {"imap", endpoint(m.imaps_port, "SSL/TLS")},
          {"imap_starttls", endpoint(m.imap_port, "STARTTLS")}};
}

Json MailboxService::mailboxJson(const store::Row& r) const {
  std::string address = r.text(3) + "@" + r.text(2);
  Json out = {{"id", r.text(0)},
              {"address", address},
              {"local_part", r.text(3)},
              {"domain_id", r.text(1)},
              {"domain", r.text(2)},
              {"first_name", r.text(4)},
              {"last_name", r.text(5)},
              {"display_name", displayName(r.text(4), r.text(5))},
              {"daily_limit", r.integer(6)},
              {"signature", r.isNull(7) ? Json(nullptr) : Json(r.text(7))},
              {"forward_to", r.isNull(8) ? Json(nullptr) : Json(r.text(8))},
              {"status", r.text(9)},
              {"created_at", formatRfc3339(r.integer(10))},
              {"updated_at", formatRfc3339(r.integer(11))},
              {"sent_today", r.integer(12)},
              {"bounced_today", r.integer(13)},
              {"received_today", r.integer(14)}};
  out.update(settingsJson(address));
  return out;
}

Result<store::Row> MailboxService::loadMailbox(store::Tx& tx, const std::string& ws,
                                               const std::string& mbx) {
  MJ_TRY_ASSIGN(auto row,
                tx.queryOne(std::string(kMailboxSelect) + " AND m.id = ?", {today(), ws, mbx}));
  if (!row) return Error::notFound("mailbox");
  return std::move(*row);
}

Result<std::string> MailboxService::requireActiveDomain(store::Tx& tx, const std::string& ws,
                                                        const std::string& dom) {
  MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT name, status FROM domains WHERE id = ? AND "
                                      "workspace_id = ?",
                                      {dom, ws}));
  if (!row) return Error::notFound("domain");
  if (row->text(1) != "active")
    return Error::make(ErrorCode::kConflict, "the domain " + row->text(0) + " is " + row->text(1) +
                                                 ": mailboxes need an active (verified) domain");
  return row->text(0);
}

Result<PreparedMailbox> MailboxService::prepare(const std::string& ws,
                                                const MailboxInput& in) const {
  PreparedMailbox m;
  if (in.domain_id.empty()) return Error::invalid("domain_id", "is required");
  MJ_TRY_ASSIGN(m.local_part, parseLocalPart("local_part", in.local_part));
  MJ_TRY(validatePersonName("first_name", in.first_name));
  MJ_TRY(validatePersonName("last_name", in.last_name));
  int64_t limit = in.daily_limit.value_or(ctx_.settings.mail.default_daily_limit);
  if (limit < 1 || limit > kMaxDailyLimit)
    return Error::invalid("daily_limit", "must be between 1 and " + std::to_string(kMaxDailyLimit));
  if (in.signature && in.signature->size() > kMaxSignature)
    return Error::invalid("signature", "must be at most 10000 bytes");
  if (in.forward_to) {
    MJ_TRY_ASSIGN(m.forward_to, parseMailAddress("forward_to", *in.forward_to));
  }
  if (in.password) MJ_TRY(validateMailboxPassword("password", *in.password));
  m.id = newId("mbx");
  m.workspace_id = ws;
  m.domain_id = in.domain_id;
  m.first_name = in.first_name;
  m.last_name = in.last_name;
  m.daily_limit = limit;
  m.signature = in.signature;
  m.password = in.password ? *in.password : generateMailboxPassword();
  m.password_hash = crypto::hashPassword(m.password, passwordCost(bool(in.password)));
  m.password_sealed = crypto::seal(ctx_.secret_key, m.password);
  return m;
}

Status MailboxService::insert(store::Tx& tx, const PreparedMailbox& m, int64_t now) {
  MJ_TRY_ASSIGN(auto domain, requireActiveDomain(tx, m.workspace_id, m.domain_id));
  MJ_TRY(billing::checkCanAddMailboxes(tx, ctx_.settings.billing, m.workspace_id));
  std::string address = m.local_part + "@" + domain;
  if (m.forward_to && *m.forward_to == address)
    return Error::invalid("forward_to", "must not be the mailbox's own address");
  MJ_TRY_ASSIGN(auto taken, tx.queryOne("SELECT 1 FROM mailboxes WHERE domain_id = ? AND "
                                        "local_part = ?",
                                        {m.domain_id, m.local_part}));
  if (taken) return Error::make(ErrorCode::kConflict, address + " already exists");
  auto ins = tx.exec(
      "INSERT INTO mailboxes (id, workspace_id, domain_id, local_part, first_name, last_name, "
      "password_hash, password_sealed, daily_limit, signature, forward_to, status, created_at, "
      "updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,'active',?,?)",
      {m.id, m.workspace_id, m.domain_id, m.local_part, m.first_name, m.last_name, m.password_hash,
       m.password_sealed, m.daily_limit, store::nullable(m.signature),
       store::nullable(m.forward_to), now, now});
  if (!ins.ok() && ins.error().code == ErrorCode::kConflict)
    return Error::make(ErrorCode::kConflict, address + " already exists");
  if (!ins.ok()) return std::move(ins).error();
  MJ_TRY(createDefaultFolders(tx, m.id, now));
  return bumpMailboxVersion(tx);
}

Result<Json> MailboxService::create(const Principal& p, const std::string& ws,
                                    const MailboxInput& in) {
  // Authorize before the slow hash, so a role that may not never costs an Argon2id run.
  MJ_TRY(ctx_.db.run(store::TxMode::kRead, [&](store::Tx& tx) -> Status {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kMailboxesWrite));
    return {};
  }));
  MJ_TRY_ASSIGN(auto m, prepare(ws, in));
  int64_t now = ctx_.clock.nowSeconds();
  MJ_TRY_ASSIGN(auto out, ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kMailboxesWrite));
    MJ_TRY(insert(tx, m, now));
    MJ_TRY_ASSIGN(auto row, loadMailbox(tx, ws, m.id));
    Json j = mailboxJson(row);
    MJ_TRY(recordAudit(tx, p,
                       {ws,
                        "mailbox.create",
                        "mailbox",
                        m.id,
                        {{"address", j["address"]}, {"password_generated", !in.password}}},
                       now));
    return j;
  }));
  refreshDirectory();
  out["password"] = m.password;
  return out;
}

Result<Page> MailboxService::list(const Principal& p, const std::string& ws, const MailboxFilter& f,
                                  const PageRequest& page) {
  if (f.status && *f.status != "active" && *f.status != "suspended")
    return Error::invalid("status", "must be active or suspended");
  if (f.q && f.q->size() > 320) return Error::invalid("q", "must be at most 320 characters");
  return ctx_.db.read<Page>([&](store::Tx& tx) -> Result<Page> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kMailboxesRead));
    std::string sql = kMailboxSelect;
    store::Params params{today(), ws};
    if (f.domain_id) {
      sql += " AND m.domain_id = ?";
      params.push_back(*f.domain_id);
    }
    if (f.status) {
      sql += " AND m.status = ?";
      params.push_back(*f.status);
    }
    if (f.q && !f.q->empty()) {
      sql +=
          " AND (LOWER(m.local_part || '@' || d.name) LIKE ? ESCAPE '!' OR "
          "LOWER(m.first_name || ' ' || m.last_name) LIKE ? ESCAPE '!')";
      std::string pattern = containsPattern(*f.q);
      params.push_back(pattern);
      params.push_back(pattern);
    }
    return paginate(tx, sql, params, "m.id", page,
                    [this](const store::Row& r) { return mailboxJson(r); });
  });
}

Result<Json> MailboxService::get(const Principal& p, const std::string& ws,
                                 const std::string& mbx) {
  return ctx_.db.read<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kMailboxesRead));
    MJ_TRY_ASSIGN(auto row, loadMailbox(tx, ws, mbx));
    return mailboxJson(row);
  });
}

}  // namespace mailjuke::core
