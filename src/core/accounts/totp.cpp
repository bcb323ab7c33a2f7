// TOTP second factor (RFC 6238): 160-bit secret sealed at rest, ±1 step skew, each step usable
// once, ten single-use recovery codes stored as digests.
#include "base/crypto.h"
#include "base/encoding.h"
#include "base/ids.h"
#include "core/accounts/account_service.h"
#include "core/accounts/qr_svg.h"
#include "core/audit/audit_log.h"
#include "core/notify/outbox.h"

namespace mailjuke::core {

Result<bool> AccountService::checkTotp(store::Tx& tx, const std::string& user_id,
                                       const std::string& code, int64_t now) {
  MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT totp_secret, totp_last_step FROM users WHERE id = ?",
                                      {user_id}));
  if (!row || row->isNull(0)) return false;
  std::string normalized;
  for (char c : code)
    if (c != ' ' && c != '-') normalized += c;
  if (normalized.size() == 6) {
    auto secret = crypto::open(ctx_.secret_key, row->text(0));
    if (!secret) return Error::internal("cannot decrypt TOTP secret");
    int64_t step = now / 30;
    for (int64_t s = step - 1; s <= step + 1; ++s) {
      if (s <= row->integer(1)) continue;  // each step once
      if (crypto::constantTimeEqual(crypto::totpCode(*secret, s), normalized)) {
        MJ_TRY(tx.exec("UPDATE users SET totp_last_step = ? WHERE id = ?", {s, user_id}));
        return true;
      }
    }
    return false;
  }
  // Recovery code: single use.
  MJ_TRY_ASSIGN(
      auto rc,
      tx.queryOne(
          "SELECT id FROM recovery_codes WHERE user_id = ? AND code_hash = ? AND used_at IS NULL",
          {user_id, crypto::sha256Hex(toLowerAscii(normalized))}));
  if (!rc) return false;
  MJ_TRY(tx.exec("UPDATE recovery_codes SET used_at = ? WHERE id = ?", {now, rc->text(0)}));
  return true;
}

Result<TotpEnrolment> AccountService::startTotp(const Principal& p) {
  if (!p.isUser()) return Error::make(ErrorCode::kForbidden, "only people can enrol TOTP");
  std::string secret = crypto::randomBytes(20);  // 160 bits
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.write<TotpEnrolment>([&](store::Tx& tx) -> Result<TotpEnrolment> {
    MJ_TRY_ASSIGN(auto row,
                  tx.queryOne("SELECT email, totp_enabled FROM users WHERE id = ?", {p.user_id}));
    if (!row) return Error::notFound("user");
    if (row->boolean(1))
      return Error::make(ErrorCode::kConflict, "two-factor authentication is already on");
    MJ_TRY(
        tx.exec("UPDATE users SET totp_secret = ?, totp_last_step = 0, updated_at = ? WHERE id = ?",
                {crypto::seal(ctx_.secret_key, secret), now, p.user_id}));
    TotpEnrolment e;
    e.secret_base32 = base32Encode(secret);
    e.otpauth_uri = "otpauth://totp/" + urlEncode(ctx_.settings.platform_name) + ":" +
                    urlEncode(row->text(0)) + "?secret=" + e.secret_base32 +
                    "&issuer=" + urlEncode(ctx_.settings.platform_name) +
                    "&algorithm=SHA1&digits=6&period=30";
    MJ_TRY_ASSIGN(e.qr_svg, qrSvg(e.otpauth_uri));
    return e;
  });
}

Result<std::vector<std::string>> AccountService::confirmTotp(const Principal& p,
                                                             const std::string& code) {
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.write<std::vector<std::string>>(
      [&](store::Tx& tx) -> Result<std::vector<std::string>> {
        MJ_TRY_ASSIGN(auto row,
                      tx.queryOne("SELECT totp_secret, totp_enabled, email FROM users WHERE id = ?",
                                  {p.user_id}));
        if (!row || row->isNull(0))
          return Error::make(ErrorCode::kConflict, "start enrolment first");
        if (row->boolean(1))
          return Error::make(ErrorCode::kConflict, "two-factor authentication is already on");
        if (code.size() != 6)
          return Error::invalid("code", "must be the 6-digit code from the app");
        MJ_TRY_ASSIGN(bool good, checkTotp(tx, p.user_id, code, now));
        if (!good) return Error::invalid("code", "is incorrect");
        MJ_TRY(tx.exec("UPDATE users SET totp_enabled = 1, updated_at = ? WHERE id = ?",
                       {now, p.user_id}));
        MJ_TRY(tx.exec("DELETE FROM recovery_codes WHERE user_id = ?", {p.user_id}));
        std::vector<std::string> codes;
        for (int i = 0; i < 10; ++i) {
          std::string c = toLowerAscii(base32Encode(crypto::randomBytes(5)));  // 8 chars, 40 bits
          c = c.substr(0, 4) + "-" + c.substr(4, 4);
          std::string compact = c.substr(0, 4) + c.substr(5, 4);
          MJ_TRY(tx.exec("INSERT INTO recovery_codes (id, user_id, code_hash) VALUES (?,?,?)",
                         {newId("rcv"), p.user_id, crypto::sha256Hex(compact)}));
          codes.push_back(c);
        }
        MJ_TRY(recordAudit(tx, p, {"", "security.totp_enabled", "user", p.user_id}, now));
        MJ_TRY(enqueueEmail(
            tx,
            {"security_alert", row->text(2), p.user_id, "Two-factor authentication turned on",
             "Two-factor authentication is now on for your account."},
            now));
        return codes;
      });
}

Status AccountService::disableTotp(const Principal& p, const std::optional<std::string>& code,
                                   const std::optional<std::string>& password) {
  if (!code && !password)
    return Error::invalid("code", "give the current TOTP code or your password");
  int64_t now = ctx_.clock.nowSeconds();
  std::string hash_value;
  if (password) {
    MJ_TRY_ASSIGN(auto h, ctx_.db.read<std::string>([&](store::Tx& tx) -> Result<std::string> {
      MJ_TRY_ASSIGN(auto row,
                    tx.queryOne("SELECT password_hash FROM users WHERE id = ?", {p.user_id}));
      if (!row) return Error::notFound("user");
      return row->text(0);
    }));
    if (!crypto::verifyPassword(h, *password)) return Error::invalid("password", "is incorrect");
  }
  return ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY_ASSIGN(auto row,
                  tx.queryOne("SELECT totp_enabled, email FROM users WHERE id = ?", {p.user_id}));
    if (!row || !row->boolean(0))
      return Error::make(ErrorCode::kConflict, "two-factor authentication is off");
    if (!password) {
      MJ_TRY_ASSIGN(bool good, checkTotp(tx, p.user_id, *code, now));
      if (!good) return Error::invalid("code", "is incorrect");
    }
    MJ_TRY(tx.exec(
        "UPDATE users SET totp_enabled = 0, totp_secret = NULL, updated_at = ? WHERE id = ?",
        {now, p.user_id}));
    MJ_TRY(tx.exec("DELETE FROM recovery_codes WHERE user_id = ?", {p.user_id}));
    MJ_TRY(recordAudit(tx, p, {"", "security.totp_disabled", "user", p.user_id}, now));
    return enqueueEmail(
        tx,
        {"security_alert", row->text(1), p.user_id, "Two-factor authentication turned off",
         "Two-factor authentication was turned off for your account. If this was "
         "not you, reset your password now."},
        now);
  });
}

Status AccountService::reauthenticate(const std::string& user_id, const std::string& password,
                                      const std::optional<std::string>& totp_code) {
  int64_t now = ctx_.clock.nowSeconds();
  MJ_TRY_ASSIGN(auto row, ctx_.db.read<std::optional<store::Row>>([&](store::Tx& tx) {
    return tx.queryOne("SELECT password_hash, totp_enabled FROM users WHERE id = ?", {user_id});
  }));
  if (!row || !crypto::verifyPassword(row->text(0), password))
    return Error::invalid("password", "is incorrect");
  if (!row->boolean(1)) return {};
  if (!totp_code)
    return Error::invalid("totp_code", "is required when two-factor authentication is on");
  return ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY_ASSIGN(bool good, checkTotp(tx, user_id, *totp_code, now));
    if (!good) return Error::invalid("totp_code", "is incorrect");
    return {};
  });
}

}  // namespace mailjuke::core
