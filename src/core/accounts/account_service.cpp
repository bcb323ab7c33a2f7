#include "core/accounts/account_service.h"

#include "base/crypto.h"
#include "base/ids.h"
#include "core/accounts/user_agent.h"
#include "core/accounts/validation.h"
#include "core/audit/audit_log.h"
#include "core/notify/outbox.h"
#include "core/privacy/consents.h"
#include "core/privacy/policy.h"

namespace mailjuke::core {

const char* const AccountService::kUserColumns =
    "id, email, name, company, email_verified_at, totp_enabled, is_operator, status, "
    "pending_email, created_at";

Json AccountService::userJson(const store::Row& r) {
  return {{"id", r.text(0)},
          {"email", r.text(1)},
          {"name", r.text(2)},
          {"company", r.optText(3) ? Json(*r.optText(3)) : Json(nullptr)},
          {"email_verified", !r.isNull(4)},
          {"totp_enabled", r.boolean(5)},
          {"is_operator", r.boolean(6)},
          {"status", r.text(7)},
          {"pending_email", r.optText(8) ? Json(*r.optText(8)) : Json(nullptr)},
          {"created_at", formatRfc3339(r.integer(9))}};
}

std::string AccountService::hash(const std::string& password) const {
  return crypto::hashPassword(password,
                              {ctx_.settings.password_ops, ctx_.settings.password_mem_bytes});
}

Status AccountService::issueToken(store::Tx& tx, const std::string& user_id,
                                  const std::string& purpose, const std::string& data, int64_t ttl,
                                  int64_t now, std::string* token_out) {
  *token_out = crypto::randomToken(32);
  auto r = tx.exec(
      "INSERT INTO user_tokens (id, user_id, purpose, token_hash, data, expires_at, created_at) "
      "VALUES (?,?,?,?,?,?,?)",
      {newId("tok"), user_id, purpose, crypto::sha256Hex(*token_out), data, now + ttl, now});
  if (!r.ok()) return std::move(r).error();
  return {};
}

Result<NewSession> AccountService::signup(const SignupInput& in, const Principal& from) {
  MJ_TRY_ASSIGN(std::string email, normalizeEmail("email", in.email));
  MJ_TRY(checkPassword("password", in.password));
  MJ_TRY(checkText("name", in.name, 200));
  if (in.company) MJ_TRY(checkText("company", *in.company, 200, false));
  // MailJuke is for business users, not children: both confirmations are required.
  if (!in.accept_terms)
    return Error::invalid("accept_terms", "must be accepted to create an account");
  if (!in.business_use)
    return Error::invalid("business_use", "MailJuke is for business use only; confirm to continue");
  std::string password_hash = hash(in.password);  // slow: outside the transaction
  int64_t now = ctx_.clock.nowSeconds();
  std::string user_id = newId("usr");
  return ctx_.db.write<NewSession>([&](store::Tx& tx) -> Result<NewSession> {
    auto ins = tx.exec(
        "INSERT INTO users (id, email, name, company, password_hash, terms_accepted_at, "
        "business_use_confirmed_at, password_changed_at, created_at, updated_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?)",
        {user_id, email, in.name, store::nullable(in.company), password_hash, now, now, now, now,
         now});
    if (!ins.ok()) {
      if (ins.error().code == ErrorCode::kConflict)
        return Error::make(ErrorCode::kConflict, "an account with this e-mail already exists");
      return std::move(ins).error();
    }
    std::string token;
    MJ_TRY(issueToken(tx, user_id, "verify_email", email, 7 * 86400, now, &token));
    MJ_TRY(enqueueEmail(
        tx,
        {"verify_email", email, user_id,
         "Verify your e-mail address for " + ctx_.settings.platform_name,
         "Hello " + in.name + ",\n\nPlease confirm your e-mail address by opening this link:\n\n" +
             ctx_.settings.public_url + "/verify-email?token=" + token +
             "\n\nVerification token: " + token + "\n\nThe link is valid for 7 days."},
        now));
    Principal actor = from;
    actor.kind = Principal::Kind::kUser;
    actor.user_id = user_id;
    MJ_TRY(recordAudit(
        tx, actor,
        {"", "account.signup", "user", user_id, {{"marketing_email", in.marketing_email}}}, now));
    // Optional consents are separate, unticked and never required (Art. 7): only a "yes" is
    // recorded, as the first event of the append-only consent history.
    if (in.marketing_email) {
      MJ_TRY_ASSIGN(auto notice, privacy::currentPolicyVersion(tx, now));
      MJ_TRY(
          privacy::recordConsent(tx,
                                 {user_id, "marketing_email", true, notice.value_or("unversioned"),
                                  "signup", from.ip, from.user_agent},
                                 now));
    }
    return createSession(tx, user_id, from, now);
  });
}

Status AccountService::verifyEmail(const std::string& token) {
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY_ASSIGN(auto row,
                  tx.queryOne("SELECT id, user_id, data, expires_at, used_at, purpose FROM "
                              "user_tokens WHERE token_hash = ?",
                              {crypto::sha256Hex(token)}));
    if (!row || (row->text(5) != "verify_email" && row->text(5) != "change_email"))
      return Error::invalid("token", "is invalid");
    if (!row->isNull(4) || row->integer(3) < now)
      return Error::make(ErrorCode::kGone, "token expired or already used");
    MJ_TRY(tx.exec("UPDATE user_tokens SET used_at = ? WHERE id = ?", {now, row->text(0)}));
    if (row->text(5) == "change_email") {
      auto r = tx.exec(
          "UPDATE users SET email = ?, pending_email = NULL, email_verified_at = ?, updated_at = ? "
          "WHERE id = ?",
          {row->text(2), now, now, row->text(1)});
      if (!r.ok() && r.error().code == ErrorCode::kConflict)
        return Error::make(ErrorCode::kConflict, "the new e-mail address is already in use");
      if (!r.ok()) return std::move(r).error();
    } else {
      MJ_TRY(tx.exec(
          "UPDATE users SET email_verified_at = ?, updated_at = ? WHERE id = ? AND email = ?",
          {now, now, row->text(1), row->text(2)}));
    }
    Principal actor;
    actor.kind = Principal::Kind::kUser;
    actor.user_id = row->text(1);
    return recordAudit(tx, actor, {"", "account.email_verified", "user", row->text(1)}, now);
  });
}

Result<NewSession> AccountService::createSession(store::Tx& tx, const std::string& user_id,
                                                 const Principal& from, int64_t now) {
  NewSession s;
  s.token = crypto::randomToken(32);  // 256 bits
  s.session_id = newId("ses");
  s.csrf_token = crypto::randomToken(24);
  auto dev = parseUserAgent(from.user_agent);
  MJ_TRY(tx.exec(
      "INSERT INTO sessions (id, user_id, token_hash, csrf_token, ip, user_agent, device, browser, "
      "created_at, last_seen_at, expires_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
      {s.session_id, user_id, crypto::sha256Hex(s.token), s.csrf_token, from.ip,
       from.user_agent.substr(0, 512), dev.device, dev.browser, now, now,
       now + ctx_.settings.session_absolute_seconds}));
  MJ_TRY_ASSIGN(
      auto row,
      tx.queryOne(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?", {user_id}));
  if (!row) return Error::internal("user vanished");
  s.user = userJson(*row);
  return s;
}

Status AccountService::throttle(store::Tx& tx, const std::string& subject, int64_t now) {
  int64_t since = now - ctx_.settings.login_window_seconds;
  // One address may front many people (offices, NAT): it gets ten accounts' worth of failures.
  int64_t max = ctx_.settings.login_max_failures * (subject.rfind("ip:", 0) == 0 ? 10 : 1);
  MJ_TRY_ASSIGN(
      auto row,
      tx.queryOne("SELECT COUNT(*), MIN(at) FROM login_failures WHERE subject = ? AND at > ?",
                  {subject, since}));
  if (row && row->integer(0) >= max) {
    Error e = Error::make(ErrorCode::kRateLimited, "too many failed logins; try again later");
    e.retry_after_seconds =
        int(std::max<int64_t>(1, row->integer(1) + ctx_.settings.login_window_seconds - now));
    return e;
  }
  return {};
}

Status AccountService::recordFailure(store::Tx& tx, const std::string& subject, int64_t now) {
  auto r = tx.exec("INSERT INTO login_failures (id, subject, at) VALUES (?,?,?)",
                   {newId("lf"), subject, now});
  if (!r.ok()) return std::move(r).error();
  return {};
}

Result<NewSession> AccountService::login(const std::string& raw_email, const std::string& password,
                                         const std::optional<std::string>& totp_code,
                                         const Principal& from) {
  auto email_r = normalizeEmail("email", raw_email);
  const Error invalid_credentials =
      Error::make(ErrorCode::kUnauthenticated, "e-mail or password is incorrect");
  if (!email_r.ok() || password.empty() || password.size() > 1024) return invalid_credentials;
  std::string email = *email_r;
  int64_t now = ctx_.clock.nowSeconds();
  const std::string acct = "acct:" + email, ip = "ip:" + from.ip;

  struct Lookup {
    std::string user_id, hash, status;
    bool totp = false;
  };
  MJ_TRY_ASSIGN(Lookup found, ctx_.db.read<Lookup>([&](store::Tx& tx) -> Result<Lookup> {
    MJ_TRY(throttle(tx, acct, now));
    MJ_TRY(throttle(tx, ip, now));
    MJ_TRY_ASSIGN(
        auto row,
        tx.queryOne("SELECT id, password_hash, status, totp_enabled FROM users WHERE email = ?",
                    {email}));
    if (!row) return Lookup{};
    return Lookup{row->text(0), row->text(1), row->text(2), row->boolean(3)};
  }));
  // Same work and same answer whether or not the account exists.
  static const std::string kDummy = crypto::hashPassword("not-a-real-password-0000");
  bool ok = crypto::verifyPassword(found.hash.empty() ? kDummy : found.hash, password) &&
            !found.user_id.empty() && found.status == "active";
  if (!ok) {
    MJ_TRY(ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
      MJ_TRY(recordFailure(tx, acct, now));
      MJ_TRY(recordFailure(tx, ip, now));
      Principal actor = from;
      actor.user_id = found.user_id;
      actor.kind = found.user_id.empty() ? Principal::Kind::kAnonymous : Principal::Kind::kUser;
      return recordAudit(tx, actor,
                         {"",
                          "auth.login_failed",
                          "user",
                          found.user_id,
                          {{"email_hash", crypto::sha256Hex(email).substr(0, 16)}}},
                         now);
    }));
    return invalid_credentials;
  }
  return ctx_.db.write<NewSession>([&](store::Tx& tx) -> Result<NewSession> {
    if (found.totp) {
      if (!totp_code || totp_code->empty()) {
        Error e = Error::make(ErrorCode::kUnauthenticated, "a TOTP code is required");
        e.fields.push_back({"totp_code", "is required for this account"});
        return e;
      }
      MJ_TRY_ASSIGN(bool good, checkTotp(tx, found.user_id, *totp_code, now));
      if (!good) {
        MJ_TRY(recordFailure(tx, acct, now));
        Error e = Error::make(ErrorCode::kUnauthenticated, "the TOTP code is incorrect");
        e.fields.push_back({"totp_code", "is incorrect"});
        return e;
      }
    }
    MJ_TRY(tx.exec("DELETE FROM login_failures WHERE subject = ?", {acct}));
    auto dev = parseUserAgent(from.user_agent);
    MJ_TRY_ASSIGN(
        auto seen,
        tx.queryOne("SELECT 1 FROM sessions WHERE user_id = ? AND device = ? AND browser = ?",
                    {found.user_id, dev.device, dev.browser}));
    Principal actor = from;
    actor.kind = Principal::Kind::kUser;
    actor.user_id = found.user_id;
    MJ_TRY(recordAudit(tx, actor, {"", "auth.login", "user", found.user_id}, now));
    if (!seen) {
      MJ_TRY(recordAudit(tx, actor,
                         {"",
                          "security.new_device",
                          "user",
                          found.user_id,
                          {{"device", dev.device}, {"browser", dev.browser}}},
                         now));
      MJ_TRY(enqueueEmail(tx,
                          {"security_alert", email, found.user_id, "New sign-in to your account",
                           "We noticed a sign-in from a new device: " + dev.browser + " on " +
                               dev.device + " (IP " + from.ip + ") at " + formatRfc3339(now) +
                               " UTC.\n\nIf this was not you, reset your password now."},
                          now));
    }
    return createSession(tx, found.user_id, from, now);
  });
}

Status AccountService::logout(const Principal& p) {
  if (p.session_id.empty()) return {};
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY(tx.exec("UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                   {now, p.session_id}));
    return recordAudit(tx, p, {"", "auth.logout", "session", p.session_id}, now);
  });
}

Result<Principal> AccountService::authenticateSession(const std::string& token,
                                                      const std::string& ip,
                                                      const std::string& user_agent) {
  int64_t now = ctx_.clock.nowSeconds();
  const Error expired =
      Error::make(ErrorCode::kUnauthenticated, "session expired or invalid; sign in again");
  MJ_TRY_ASSIGN(auto row, ctx_.db.read<std::optional<store::Row>>([&](store::Tx& tx) {
    return tx.queryOne(
        "SELECT s.id, s.user_id, s.last_seen_at, s.expires_at, s.revoked_at, u.is_operator, "
        "u.status FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
        {crypto::sha256Hex(token)});
  }));
  if (!row || !row->isNull(4) || row->text(6) != "active") return expired;
  // ASVS: absolute lifetime and idle timeout.
  if (row->integer(3) <= now || row->integer(2) + ctx_.settings.session_idle_seconds <= now)
    return expired;
  if (now - row->integer(2) >= 60) {
    MJ_TRY(ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
      MJ_TRY(tx.exec("UPDATE sessions SET last_seen_at = ?, ip = ? WHERE id = ?",
                     {now, ip, row->text(0)}));
      return {};
    }));
  }
  Principal p;
  p.kind = Principal::Kind::kUser;
  p.session_id = row->text(0);
  p.user_id = row->text(1);
  p.is_operator = row->boolean(5);
  p.ip = ip;
  p.user_agent = user_agent;
  return p;
}

Result<std::string> AccountService::csrfToken(const std::string& session_id) {
  return ctx_.db.read<std::string>([&](store::Tx& tx) -> Result<std::string> {
    MJ_TRY_ASSIGN(auto row,
                  tx.queryOne("SELECT csrf_token FROM sessions WHERE id = ?", {session_id}));
    if (!row) return Error::make(ErrorCode::kUnauthenticated, "no session");
    return row->text(0);
  });
}

}  // namespace mailjuke::core
