// MailboxService: update, delete, password reset, credentials and CSV exports.
#include "base/crypto.h"
#include "core/audit/audit_log.h"
#include "core/integrations/sequencer_csv.h"
#include "core/mailboxes/mailbox_names.h"
#include "core/mailboxes/mailbox_service.h"
#include "core/workspaces/workspace_service.h"

namespace mailjuke::core {

Result<Json> MailboxService::update(const Principal& p, const std::string& ws,
                                    const std::string& mbx, const Json& patch) {
  // Validate every field first; then one UPDATE with the changed columns.
  std::vector<std::pair<std::string, store::Value>> sets;
  auto text = [&](const char* k) { return patch[k].get<std::string>(); };
  for (const char* k : {"first_name", "last_name"})
    if (patch.contains(k)) {
      MJ_TRY(validatePersonName(k, text(k)));
      sets.emplace_back(k, text(k));
    }
  if (patch.contains("daily_limit")) {
    int64_t n = patch["daily_limit"].get<int64_t>();
    if (n < 1 || n > kMaxDailyLimit)
      return Error::invalid("daily_limit",
                            "must be between 1 and " + std::to_string(kMaxDailyLimit));
    sets.emplace_back("daily_limit", n);
  }
  if (patch.contains("signature")) {
    if (!patch["signature"].is_null() && text("signature").size() > kMaxSignature)
      return Error::invalid("signature", "must be at most 10000 bytes");
    sets.emplace_back("signature", patch["signature"].is_null() ? store::Value(nullptr)
                                                                : store::Value(text("signature")));
  }
  std::optional<std::string> forward;
  if (patch.contains("forward_to")) {
    if (!patch["forward_to"].is_null()) {
      MJ_TRY_ASSIGN(forward, parseMailAddress("forward_to", text("forward_to")));
    }
    sets.emplace_back("forward_to", store::nullable(forward));
  }
  if (patch.contains("status")) {
    if (text("status") != "active" && text("status") != "suspended")
      return Error::invalid("status", "must be active or suspended");
    sets.emplace_back("status", text("status"));
  }
  int64_t now = ctx_.clock.nowSeconds();
  MJ_TRY_ASSIGN(auto out, ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kMailboxesWrite));
    MJ_TRY_ASSIGN(auto before, loadMailbox(tx, ws, mbx));
    if (forward && *forward == before.text(3) + "@" + before.text(2))
      return Error::invalid("forward_to", "must not be the mailbox's own address");
    Json fields = Json::array();
    if (!sets.empty()) {
      std::string sql = "UPDATE mailboxes SET updated_at = ?";
      store::Params params{now};
      for (auto& [column, value] : sets) {
        sql += ", " + column + " = ?";
        params.push_back(value);
        fields.push_back(column);
      }
      sql += " WHERE id = ?";
      params.push_back(mbx);
      MJ_TRY(tx.exec(sql, params));
      MJ_TRY(bumpMailboxVersion(tx));
    }
    Json data = {{"fields", fields}};
    if (patch.contains("status")) data["status"] = text("status");
    MJ_TRY(recordAudit(tx, p, {ws, "mailbox.update", "mailbox", mbx, data}, now));
    MJ_TRY_ASSIGN(auto row, loadMailbox(tx, ws, mbx));
    return mailboxJson(row);
  }));
  refreshDirectory();
  return out;
}

Status MailboxService::remove(const Principal& p, const std::string& ws, const std::string& mbx) {
  int64_t now = ctx_.clock.nowSeconds();
  MJ_TRY(ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kMailboxesWrite));
    MJ_TRY_ASSIGN(auto row, loadMailbox(tx, ws, mbx));
    // Folders, messages and counters go with it (ON DELETE CASCADE).
    MJ_TRY(tx.exec("DELETE FROM mailboxes WHERE id = ?", {mbx}));
    MJ_TRY(bumpMailboxVersion(tx));
    return recordAudit(
        tx, p,
        {ws, "mailbox.delete", "mailbox", mbx, {{"address", row.text(3) + "@" + row.text(2)}}},
        now);
  }));
  refreshDirectory();
  return {};
}

Result<Json> MailboxService::resetPassword(const Principal& p, const std::string& ws,
                                           const std::string& mbx) {
  MJ_TRY(ctx_.db.run(store::TxMode::kRead, [&](store::Tx& tx) -> Status {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kMailboxesWrite));
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kCredentialsRead));
    return loadMailbox(tx, ws, mbx).ok() ? Status() : Error::notFound("mailbox");
  }));
  std::string password = generateMailboxPassword();
  std::string hash = crypto::hashPassword(password, passwordCost(false));
  std::string sealed = crypto::seal(ctx_.secret_key, password);
  int64_t now = ctx_.clock.nowSeconds();
  MJ_TRY_ASSIGN(auto out, ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kMailboxesWrite));
    MJ_TRY_ASSIGN(auto row, loadMailbox(tx, ws, mbx));
    MJ_TRY(
        tx.exec("UPDATE mailboxes SET password_hash = ?, password_sealed = ?, updated_at = ? "
                "WHERE id = ?",
                {hash, sealed, now, mbx}));
    MJ_TRY(bumpMailboxVersion(tx));
    MJ_TRY(recordAudit(tx, p, {ws, "mailbox.password_reset", "mailbox", mbx, Json::object()}, now));
    Json j = {{"id", mbx}, {"address", row.text(3) + "@" + row.text(2)}, {"password", password}};
    j.update(settingsJson(j["address"]));
    return j;
  }));
  refreshDirectory();
  return out;
}

Result<Json> MailboxService::credentials(const Principal& p, const std::string& ws,
                                         const std::string& mbx) {
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kCredentialsRead));
    MJ_TRY_ASSIGN(auto row, loadMailbox(tx, ws, mbx));
    MJ_TRY_ASSIGN(auto sealed,
                  tx.queryOne("SELECT password_sealed FROM mailboxes WHERE id = ?", {mbx}));
    auto password = crypto::open(ctx_.secret_key, sealed ? sealed->text(0) : "");
    if (!password) return Error::internal("the mailbox password cannot be unsealed");
    MJ_TRY(
        recordAudit(tx, p, {ws, "mailbox.credentials_read", "mailbox", mbx, Json::object()}, now));
    std::string address = row.text(3) + "@" + row.text(2);
    Json j = {{"id", mbx}, {"address", address}, {"username", address}, {"password", *password}};
    j.update(settingsJson(address));
    return j;
  });
}

Result<std::string> MailboxService::exportCsv(const Principal& p, const std::string& ws,
                                              const std::string& format, const std::string& columns,
                                              const std::optional<std::string>& domain_id) {
  int64_t now = ctx_.clock.nowSeconds();
  const auto& mail = ctx_.settings.mail;
  return ctx_.db.write<std::string>([&](store::Tx& tx) -> Result<std::string> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kExport));
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kCredentialsRead));
    auto fmt = parseCsvFormat(format, columns);
    if (!fmt) {
      if (format == "instantly") return Error::invalid("columns", "must be 11, 15 or 21");
      if (format == "smartlead" || format == "generic")
        return Error::invalid("columns", "is only for format=instantly");
      return Error::invalid("format", "must be instantly, smartlead or generic");
    }
    std::string sql =
        "SELECT m.local_part, d.name, m.first_name, m.last_name, m.password_sealed, "
        "m.daily_limit, m.signature FROM mailboxes m JOIN domains d ON d.id = m.domain_id "
        "WHERE m.workspace_id = ?";
    store::Params params{ws};
    if (domain_id) {
      MJ_TRY_ASSIGN(auto own, tx.queryOne("SELECT 1 FROM domains WHERE id = ? AND "
                                          "workspace_id = ?",
                                          {*domain_id, ws}));
      if (!own) return Error::notFound("domain");
      sql += " AND m.domain_id = ?";
      params.push_back(*domain_id);
    }
    sql += " ORDER BY d.name, m.local_part";
    MJ_TRY_ASSIGN(auto rows, tx.query(sql, params));
    std::vector<MailboxCredentials> out;
    out.reserve(rows.size());
    for (const auto& r : rows) {
      MailboxCredentials c;
      c.email = r.text(0) + "@" + r.text(1);
      c.first_name = r.text(2);
      c.last_name = r.text(3);
      auto pw = crypto::open(ctx_.secret_key, r.text(4));
      if (!pw) return Error::internal("a mailbox password cannot be unsealed");
      c.password = std::move(*pw);
      c.smtp_host = c.imap_host = mail.host;
      c.smtp_port = mail.submission_port;
      c.imap_port = mail.imaps_port;
      c.daily_limit = int(r.integer(5));
      c.tracking_domain = "track." + r.text(1);
      c.signature = r.text(6);
      out.push_back(std::move(c));
    }
    Json data = {{"format", format}, {"rows", rows.size()}};
    if (!columns.empty()) data["columns"] = columns;
    if (domain_id) data["domain_id"] = *domain_id;
    MJ_TRY(recordAudit(tx, p, {ws, "mailbox.export", "workspace", ws, data}, now));
    return renderCsv(*fmt, out);
  });
}

}  // namespace mailjuke::core
