#include "core/mail/outbox_sender.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "base/crypto.h"
#include "base/encoding.h"
#include "base/json.h"
#include "core/mailauth/dkim.h"
#include "core/notify/email_message.h"
#include "core/privacy/flags.h"

namespace mailjuke::core {
namespace {

std::string domainOf(std::string_view address) {
  auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string() : toLowerAscii(address.substr(at + 1));
}

// A deliverable addr-spec as the outbox stores it: one "@", no white space or controls, no
// characters that would end the header field or the SMTP command, RFC 5321 §4.5.3.1.3 length.
bool usableAddress(std::string_view a) {
  if (a.empty() || a.size() > 254) return false;
  auto at = a.rfind('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == a.size()) return false;
  for (unsigned char c : a)
    if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == ',') return false;
  return true;
}

bool looksLikeDomain(std::string_view host) {
  bool letter = false;
  for (unsigned char c : host) {
    if (std::isalpha(c)) letter = true;
    if (!std::isalnum(c) && c != '.' && c != '-') return false;
  }
  return letter && host.find('.') != std::string_view::npos;
}

}  // namespace

Result<PlatformSender> platformSender(const std::string& configured, const std::string& name,
                                      const std::string& public_url,
                                      const std::string& mail_hostname) {
  if (configured.empty()) {
    std::string host = public_url;
    if (auto p = host.find("://"); p != std::string::npos) host = host.substr(p + 3);
    host = host.substr(0, host.find_first_of("/:"));
    if (!looksLikeDomain(host)) host = mail_hostname;
    return PlatformSender{name, "no-reply@" + toLowerAscii(host)};
  }
  PlatformSender out;
  auto lt = configured.find('<');
  if (lt == std::string::npos) {
    out.address = configured;
  } else {
    auto gt = configured.find('>', lt);
    if (gt == std::string::npos || gt + 1 != configured.size())
      return Error::invalid("mail.platform_from", "must be \"Name <address>\" or an address");
    out.address = configured.substr(lt + 1, gt - lt - 1);
    std::string n = configured.substr(0, lt);
    while (!n.empty() && n.back() == ' ') n.pop_back();
    if (n.size() >= 2 && n.front() == '"' && n.back() == '"') n = n.substr(1, n.size() - 2);
    out.name = n;
  }
  if (!usableAddress(out.address) || out.name.find_first_of("\r\n") != std::string::npos)
    return Error::invalid("mail.platform_from", "must be \"Name <address>\" or an address");
  return out;
}

OutboxSender::OutboxSender(CoreContext& ctx, MailDirectory& directory, MailStore& store,
                           OutboxSenderOptions options)
    : ctx_(ctx), directory_(directory), store_(store), options_(std::move(options)) {}

// Due rows: pending, or sending with an ended lease; claimed_until of a pending row is the
// earliest next try after a failed attempt. Account e-mail goes before marketing, so a large
// marketing send never holds back a verification code or a password reset.
Result<std::vector<OutboxSender::Row>> OutboxSender::claim(const std::string& token, int64_t now) {
  return ctx_.db.write<std::vector<Row>>([&](store::Tx& tx) -> Result<std::vector<Row>> {
    std::string sql =
        "SELECT id, kind, to_address, subject, body_text, body_html, headers, attempts, "
        "created_at FROM outbox WHERE status IN ('pending', 'sending') AND "
        "COALESCE(claimed_until, 0) <= ? ORDER BY CASE WHEN kind = 'marketing' THEN 1 ELSE 0 END, "
        "created_at, id LIMIT ?";
    if (tx.dialect() == store::Dialect::kPostgres) sql += " FOR UPDATE SKIP LOCKED";
    MJ_TRY_ASSIGN(auto rows, tx.query(sql, {now, static_cast<int64_t>(options_.batch)}));
    std::vector<Row> out;
    for (const auto& r : rows) {
      MJ_TRY_ASSIGN(auto n, tx.exec("UPDATE outbox SET status = 'sending', claim_token = ?, "
                                    "claimed_until = ? WHERE id = ? AND status IN ('pending', "
                                    "'sending') AND COALESCE(claimed_until, 0) <= ?",
                                    {token, now + options_.lease_seconds, r.text(0), now}));
      if (n != 1) continue;  // another node was faster
      out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5),
                     r.isNull(6) ? std::string() : r.text(6), r.integer(7), r.integer(8)});
    }
    return out;
  });
}

Status OutboxSender::finish(const Row& row, const std::string& token, const char* status,
                            const std::string& error, int64_t now) {
  return ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY(
        tx.exec("UPDATE outbox SET status = ?, sent_at = ?, claim_token = NULL, "
                "claimed_until = NULL, last_error = ? WHERE id = ? AND claim_token = ?",
                {std::string(status), now,
                 error.empty() ? store::Value(nullptr) : store::Value(error), row.id, token}));
    return {};
  });
}

Status OutboxSender::retryLater(const Row& row, const std::string& token, const std::string& error,
                                int64_t now, OutboxRun& run) {
  int64_t attempts = row.attempts + 1;
  if (attempts >= options_.max_attempts) {
    ++run.failed;
    spdlog::warn("outbox: {} failed after {} attempts: {}", row.id, attempts, error);
    return finish(row, token, "failed", error, now);
  }
  ++run.retried;
  int64_t delay = options_.first_retry_seconds;
  for (int64_t i = 1; i < attempts && delay < 3600; ++i) delay *= 2;
  return ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY(
        tx.exec("UPDATE outbox SET status = 'pending', attempts = ?, claimed_until = ?, "
                "claim_token = NULL, last_error = ? WHERE id = ? AND claim_token = ?",
                {attempts, now + std::min<int64_t>(delay, 3600), error, row.id, token}));
    return {};
  });
}

Status OutboxSender::sendOne(const Row& row, const std::string& token, int64_t now,
                             OutboxRun& run) {
  if (now - row.created_at > options_.max_age_seconds) {
    ++run.expired;
    return finish(row, token, "expired", "older than the outbox's maximum age", now);
  }
  if (!usableAddress(row.to)) {
    ++run.failed;
    return finish(row, token, "failed", "the recipient address is not deliverable", now);
  }
  // Policy §7, RFC 8058: an unsubscribe between the send and now still wins.
  if (row.kind == "marketing") {
    MJ_TRY_ASSIGN(bool suppressed, ctx_.db.read<bool>([&](store::Tx& tx) {
      return privacy::isSuppressed(tx, ctx_.secret_key, row.to);
    }));
    if (suppressed) {
      ++run.suppressed;
      return finish(row, token, "suppressed", "", now);
    }
  }
  EmailParts parts;
  parts.from_name = options_.from_name;
  parts.from_address = options_.from_address;
  parts.to = row.to;
  parts.subject = row.subject;
  parts.text = row.text;
  parts.html = row.html;
  parts.date = now;
  // Stable across retries: a receiver can tell a repeated attempt from a new message.
  parts.message_id = row.id + "@" + domainOf(options_.from_address);
  parts.auto_submitted = row.kind != "marketing";  // RFC 3834 §5: automatic notifications
  Json headers = row.headers.empty() ? Json::object() : Json::parse(row.headers, nullptr, false);
  if (headers.is_object())
    for (auto& [name, value] : headers.items())
      if (value.is_string()) parts.headers.emplace_back(name, value.get<std::string>());
  std::string content = buildEmailMessage(parts);
  // RFC 6376: signed with the hosted sender domain's active key, as submissions are.
  if (auto key = directory_.signingKey(domainOf(options_.from_address))) {
    auto signature =
        mailauth::dkimSign(content, {key->domain, key->selector, key->private_pem}, now);
    if (!signature.ok()) return retryLater(row, token, signature.error().message, now, run);
    content = *signature + content;
  }
  AcceptedMessage message;
  message.content = std::move(content);
  message.envelope_from = options_.from_address;
  message.received_at = now;
  if (auto account = directory_.find(row.to))
    message.local.push_back({account->id, "INBOX", {}, true});
  else
    message.remote_recipients.push_back(row.to);
  message.in_transaction = [&](store::Tx& tx, const std::string& queue_id) -> Status {
    MJ_TRY_ASSIGN(auto n, tx.exec("UPDATE outbox SET status = 'queued', queue_id = ?, sent_at = "
                                  "?, claim_token = NULL, claimed_until = NULL, last_error = NULL "
                                  "WHERE id = ? AND status = 'sending' AND claim_token = ?",
                                  {queue_id, now, row.id, token}));
    if (n != 1) return Error::make(ErrorCode::kConflict, "the outbox row was claimed elsewhere");
    return {};
  };
  auto accepted = store_.accept(message);
  if (accepted.ok()) {
    ++run.queued;
    return {};
  }
  if (accepted.error().code == ErrorCode::kConflict) return {};  // another node has it now
  return retryLater(row, token, accepted.error().message, now, run);
}

Result<OutboxRun> OutboxSender::runOnce() {
  OutboxRun run;
  int64_t now = ctx_.clock.nowSeconds();
  // A read first: an idle pass (every 250 ms) takes no write lock.
  MJ_TRY_ASSIGN(auto due, ctx_.db.read<bool>([&](store::Tx& tx) -> Result<bool> {
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT 1 FROM outbox WHERE status IN ('pending', "
                                        "'sending') AND COALESCE(claimed_until, 0) <= ? LIMIT 1",
                                        {now}));
    return row.has_value();
  }));
  if (!due) return run;
  std::string token = crypto::randomToken(12);
  MJ_TRY_ASSIGN(auto rows, claim(token, now));
  run.claimed = static_cast<int64_t>(rows.size());
  std::atomic<size_t> next{0};
  std::vector<OutboxRun> runs(std::max<size_t>(1, std::min(options_.parallel, rows.size())));
  auto work = [&](OutboxRun& mine) {
    for (size_t i = next++; i < rows.size(); i = next++) {
      if (auto st = sendOne(rows[i], token, now, mine); !st.ok())
        spdlog::warn("outbox: {} not sent: {}", rows[i].id, st.error().message);
    }
  };
  std::vector<std::thread> threads;
  for (size_t t = 1; t < runs.size(); ++t) threads.emplace_back(work, std::ref(runs[t]));
  work(runs[0]);
  for (auto& t : threads) t.join();
  for (const auto& r : runs) {
    run.queued += r.queued;
    run.suppressed += r.suppressed;
    run.retried += r.retried;
    run.failed += r.failed;
    run.expired += r.expired;
  }
  return run;
}

}  // namespace mailjuke::core
