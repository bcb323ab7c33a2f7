#include "core/privacy/marketing.h"

#include <algorithm>

#include "base/clock.h"
#include "base/crypto.h"
#include "base/encoding.h"
#include "base/ids.h"
#include "core/audit/audit_log.h"
#include "core/notify/outbox.h"
#include "core/pagination.h"
#include "core/privacy/consents.h"
#include "core/privacy/flags.h"

namespace mailjuke::core::privacy {
namespace {

std::string tokenMac(const std::string& secret_key, const std::string& user_id) {
  return hexEncode(crypto::hmacSha256(crypto::hmacSha256(secret_key, "list-unsubscribe"), user_id))
      .substr(0, 40);
}

// "ab***@example.com": enough for people to recognise their address, not to harvest it.
std::string maskEmail(const std::string& email) {
  size_t at = email.find('@');
  if (at == std::string::npos) return "***";
  return email.substr(0, std::min<size_t>(2, at)) + "***" + email.substr(at);
}

// The newest notice version the person saw for marketing e-mail (the withdrawal refers to it).
Result<std::string> marketingNotice(store::Tx& tx, const std::string& user_id) {
  MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT notice_version FROM consent_events WHERE user_id = ? "
                                      "AND purpose = 'marketing_email' ORDER BY created_at DESC, "
                                      "id DESC LIMIT 1",
                                      {user_id}));
  return row ? row->text(0) : std::string("unknown");
}

Result<std::optional<store::Row>> recipient(store::Tx& tx, const std::string& secret,
                                            const std::string& token) {
  auto uid = unsubscribeTokenUser(secret, token);
  if (!uid) return Error::invalid("t", "is not a valid unsubscribe link");
  return tx.queryOne("SELECT id, email, status FROM users WHERE id = ?", {*uid});
}

}  // namespace

std::string unsubscribeToken(const std::string& secret_key, const std::string& user_id) {
  return user_id + "." + tokenMac(secret_key, user_id);
}

std::optional<std::string> unsubscribeTokenUser(const std::string& secret_key,
                                                const std::string& token) {
  size_t dot = token.rfind('.');
  if (dot == std::string::npos || dot == 0 || token.size() > 200) return std::nullopt;
  std::string uid = token.substr(0, dot);
  if (!crypto::constantTimeEqual(token.substr(dot + 1), tokenMac(secret_key, uid)))
    return std::nullopt;
  return uid;
}

std::string unsubscribeUrl(const CoreContext& ctx, const std::string& user_id) {
  std::string host = ctx.settings.public_url;
  if (size_t p = host.find("://"); p != std::string::npos) host = host.substr(p + 3);
  if (size_t p = host.find('/'); p != std::string::npos) host = host.substr(0, p);
  return "https://" + host + "/api/v1/unsubscribe?t=" + unsubscribeToken(ctx.secret_key, user_id);
}

Result<Json> sendMarketing(CoreContext& ctx, const std::string& subject, const std::string& text,
                           const Principal& op) {
  if (subject.empty() || subject.size() > 200 || subject.find_first_of("\r\n") != subject.npos)
    return Error::invalid("subject", "must be 1-200 characters on one line");
  if (text.empty() || text.size() > 100000)
    return Error::invalid("text", "must be 1-100000 characters");
  int64_t now = ctx.clock.nowSeconds();
  std::string id = newId("mks");
  return ctx.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY_ASSIGN(auto users, tx.query("SELECT id, email FROM users WHERE status = 'active' "
                                       "ORDER BY id"));
    int64_t sent = 0, skipped = 0;
    for (const auto& u : users) {
      MJ_TRY_ASSIGN(bool allowed, mayProcess(tx, u.text(0), Purpose::kMarketing));
      if (allowed) {
        MJ_TRY_ASSIGN(bool suppressed, isSuppressed(tx, ctx.secret_key, u.text(1)));
        allowed = !suppressed;
      }
      if (!allowed) {
        ++skipped;
        continue;
      }
      std::string url = unsubscribeUrl(ctx, u.text(0));
      Email e{"marketing", u.text(1), u.text(0), subject,
              text + "\n\nYou get this because you agreed to marketing e-mail from " +
                  ctx.settings.platform_name + ". Unsubscribe with one click:\n\n" + url};
      e.headers = {{"List-Unsubscribe", "<" + url + ">"},
                   {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}};
      MJ_TRY(enqueueEmail(tx, e, now));
      ++sent;
    }
    MJ_TRY(
        tx.exec("INSERT INTO marketing_sends (id, subject, body, recipients, skipped, created_by, "
                "created_at) VALUES (?,?,?,?,?,?,?)",
                {id, subject, text, sent, skipped, op.user_id, now}));
    MJ_TRY(recordAudit(
        tx, op,
        {"", "marketing.send", "marketing_send", id, {{"recipients", sent}, {"skipped", skipped}}},
        now));
    return Json{{"id", id},
                {"subject", subject},
                {"recipients", sent},
                {"skipped", skipped},
                {"created_at", formatRfc3339(now)}};
  });
}

Result<Page> listMarketingSends(store::Tx& tx, std::optional<std::string> cursor, int limit) {
  return paginate(tx,
                  "SELECT id, subject, recipients, skipped, created_by, created_at FROM "
                  "marketing_sends WHERE 1=1",
                  {}, "id", {std::move(cursor), limit, true}, [](const store::Row& r) -> Json {
                    return {{"id", r.text(0)},
                            {"subject", r.text(1)},
                            {"recipients", r.integer(2)},
                            {"skipped", r.integer(3)},
                            {"created_by", r.text(4)},
                            {"created_at", formatRfc3339(r.integer(5))}};
                  });
}

Result<Json> unsubscribeStatus(CoreContext& ctx, const std::string& token) {
  return ctx.db.read<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY_ASSIGN(auto u, recipient(tx, ctx.secret_key, token));
    // An erased account: nothing is sent to it any more.
    if (!u || u->text(2) == "erased")
      return Json{{"subscribed", false}, {"email", nullptr}, {"detail", "nothing to unsubscribe"}};
    MJ_TRY_ASSIGN(bool allowed, mayProcess(tx, u->text(0), Purpose::kMarketing));
    MJ_TRY_ASSIGN(bool suppressed, isSuppressed(tx, ctx.secret_key, u->text(1)));
    return Json{{"subscribed", allowed && !suppressed},
                {"email", maskEmail(u->text(1))},
                {"detail", "POST to this address (List-Unsubscribe=One-Click) to unsubscribe"}};
  });
}

Result<Json> unsubscribe(CoreContext& ctx, const std::string& token) {
  int64_t now = ctx.clock.nowSeconds();
  return ctx.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY_ASSIGN(auto u, recipient(tx, ctx.secret_key, token));
    if (!u || u->text(2) == "erased")
      return Json{{"unsubscribed", true}, {"detail", "nothing to unsubscribe"}};
    const std::string uid = u->text(0);
    MJ_TRY(suppress(tx, ctx.secret_key, u->text(1), "list_unsubscribe", now));
    MJ_TRY_ASSIGN(auto flags, processingFlags(tx, uid));
    if (flags.marketing_consent) {
      MJ_TRY_ASSIGN(auto notice, marketingNotice(tx, uid));
      MJ_TRY(recordConsent(
          tx, {uid, "marketing_email", false, notice, "one_click_unsubscribe", "", ""}, now));
    }
    Principal who;
    who.kind = Principal::Kind::kUser;
    who.user_id = uid;
    MJ_TRY(recordAudit(tx, who, {"", "marketing.unsubscribe", "user", uid, Json::object()}, now));
    return Json{{"unsubscribed", true},
                {"email", maskEmail(u->text(1))},
                {"detail", "you will get no more marketing e-mail"}};
  });
}

}  // namespace mailjuke::core::privacy
