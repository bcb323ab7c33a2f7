// Password reset by e-mailed token: 1 h lifetime, single use; ends every session on success.
#include "base/crypto.h"
#include "core/accounts/account_service.h"
#include "core/accounts/validation.h"
#include "core/audit/audit_log.h"
#include "core/notify/outbox.h"

namespace mailjuke::core {

Status AccountService::requestPasswordReset(const std::string& raw_email, const Principal& from) {
  MJ_TRY_ASSIGN(std::string email, normalizeEmail("email", raw_email));
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY_ASSIGN(
        auto row,
        tx.queryOne("SELECT id, name FROM users WHERE email = ? AND status = 'active'", {email}));
    if (!row) return {};  // 202 either way: no account enumeration
    // Throttle: at most 5 reset mails an hour per account.
    MJ_TRY_ASSIGN(auto count, tx.queryOne("SELECT COUNT(*) FROM user_tokens WHERE user_id = ? AND "
                                          "purpose = 'password_reset' AND created_at > ?",
                                          {row->text(0), now - 3600}));
    if (count && count->integer(0) >= 5) return {};
    std::string token;
    MJ_TRY(issueToken(tx, row->text(0), "password_reset", "", 3600, now, &token));
    MJ_TRY(enqueueEmail(
        tx,
        {"password_reset", email, row->text(0), "Reset your password",
         "Hello " + row->text(1) +
             ",\n\nSomeone asked to reset the password of your account. To choose a "
             "new password, open this link within one hour:\n\n" +
             ctx_.settings.public_url + "/reset-password?token=" + token +
             "\n\nReset token: " + token + "\n\nIf you did not ask for this, ignore this message."},
        now));
    Principal actor = from;
    actor.kind = Principal::Kind::kUser;
    actor.user_id = row->text(0);
    return recordAudit(tx, actor, {"", "auth.password_reset_requested", "user", row->text(0)}, now);
  });
}

Status AccountService::confirmPasswordReset(const std::string& token, const std::string& password,
                                            const Principal& from) {
  MJ_TRY(checkPassword("password", password));
  std::string h = hash(password);
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT id, user_id, expires_at, used_at FROM user_tokens "
                                        "WHERE token_hash = ? AND purpose = 'password_reset'",
                                        {crypto::sha256Hex(token)}));
    if (!row) return Error::invalid("token", "is invalid");
    if (!row->isNull(3) || row->integer(2) < now)
      return Error::make(ErrorCode::kGone, "token expired or already used");
    std::string user_id = row->text(1);
    MJ_TRY(tx.exec("UPDATE user_tokens SET used_at = ? WHERE id = ?", {now, row->text(0)}));
    MJ_TRY(tx.exec(
        "UPDATE users SET password_hash = ?, password_changed_at = ?, updated_at = ? WHERE id = ?",
        {h, now, now, user_id}));
    // Every session ends when the password changes.
    MJ_TRY(tx.exec("UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                   {now, user_id}));
    MJ_TRY(
        tx.exec("DELETE FROM login_failures WHERE subject IN (SELECT 'acct:' || email FROM users "
                "WHERE id = ?)",
                {user_id}));
    Principal actor = from;
    actor.kind = Principal::Kind::kUser;
    actor.user_id = user_id;
    return recordAudit(tx, actor, {"", "auth.password_reset", "user", user_id}, now);
  });
}

}  // namespace mailjuke::core
