// Profile, e-mail change with re-verification, the sessions list, and operator bootstrap.
#include "base/crypto.h"
#include "base/ids.h"
#include "core/accounts/account_service.h"
#include "core/accounts/validation.h"
#include "core/audit/audit_log.h"
#include "core/notify/outbox.h"

namespace mailjuke::core {

Result<Json> AccountService::me(const Principal& p) {
  if (!p.isUser())
    return Error::make(ErrorCode::kForbidden, "API keys have no profile; use a session");
  return ctx_.db.read<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY_ASSIGN(auto row,
                  tx.queryOne(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?",
                              {p.user_id}));
    if (!row) return Error::notFound("user");
    Json j = userJson(*row);
    MJ_TRY_ASSIGN(auto csrf,
                  tx.queryOne("SELECT csrf_token FROM sessions WHERE id = ?", {p.session_id}));
    j["csrf_token"] = csrf ? csrf->text(0) : "";
    MJ_TRY_ASSIGN(auto ws,
                  tx.query("SELECT w.id, w.name, m.role FROM memberships m JOIN workspaces w ON "
                           "w.id = m.workspace_id WHERE m.user_id = ? AND w.status <> 'deleted' "
                           "ORDER BY w.id",
                           {p.user_id}));
    Json list = Json::array();
    for (const auto& w : ws)
      list.push_back({{"id", w.text(0)}, {"name", w.text(1)}, {"role", w.text(2)}});
    j["workspaces"] = list;
    return j;
  });
}

Result<Json> AccountService::updateMe(const Principal& p, const std::optional<std::string>& name,
                                      const std::optional<std::optional<std::string>>& company,
                                      const std::optional<std::string>& email,
                                      const std::optional<std::string>& current_password) {
  if (!p.isUser()) return Error::make(ErrorCode::kForbidden, "API keys have no profile");
  if (name) MJ_TRY(checkText("name", *name, 200));
  if (company && *company) MJ_TRY(checkText("company", **company, 200, false));
  std::optional<std::string> new_email;
  if (email) {
    MJ_TRY_ASSIGN(new_email, normalizeEmail("email", *email));
    if (!current_password)
      return Error::invalid("current_password", "is required to change the e-mail address");
    MJ_TRY(reauthenticate(p.user_id, *current_password, std::nullopt));
  }
  int64_t now = ctx_.clock.nowSeconds();
  MJ_TRY(ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    if (name)
      MJ_TRY(tx.exec("UPDATE users SET name = ?, updated_at = ? WHERE id = ?",
                     {*name, now, p.user_id}));
    if (company)
      MJ_TRY(tx.exec("UPDATE users SET company = ?, updated_at = ? WHERE id = ?",
                     {store::nullable(*company), now, p.user_id}));
    Json changed = Json::array();
    if (name) changed.push_back("name");
    if (company) changed.push_back("company");
    if (new_email) {
      MJ_TRY_ASSIGN(auto taken, tx.queryOne("SELECT 1 FROM users WHERE email = ?", {*new_email}));
      if (taken) return Error::make(ErrorCode::kConflict, "this e-mail address is already in use");
      MJ_TRY_ASSIGN(auto old, tx.queryOne("SELECT email FROM users WHERE id = ?", {p.user_id}));
      MJ_TRY(tx.exec("UPDATE users SET pending_email = ?, updated_at = ? WHERE id = ?",
                     {*new_email, now, p.user_id}));
      std::string token;
      MJ_TRY(issueToken(tx, p.user_id, "change_email", *new_email, 86400, now, &token));
      MJ_TRY(enqueueEmail(
          tx,
          {"verify_email", *new_email, p.user_id, "Confirm your new e-mail address",
           "Confirm this address for your account by opening:\n\n" + ctx_.settings.public_url +
               "/verify-email?token=" + token + "\n\nVerification token: " + token},
          now));
      if (old)
        MJ_TRY(enqueueEmail(tx,
                            {"security_alert", old->text(0), p.user_id, "E-mail change requested",
                             "Someone asked to change your account's e-mail address to " +
                                 *new_email + ". If this was not you, reset your password now."},
                            now));
      changed.push_back("email");
    }
    return recordAudit(
        tx, p, {"", "account.profile_updated", "user", p.user_id, {{"fields", changed}}}, now);
  }));
  return me(p);
}

Result<Json> AccountService::listSessions(const Principal& p) {
  if (!p.isUser()) return Error::make(ErrorCode::kForbidden, "sessions belong to people");
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.read<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY_ASSIGN(auto rows, tx.query("SELECT id, ip, user_agent, device, browser, created_at, "
                                      "last_seen_at, expires_at FROM sessions "
                                      "WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? "
                                      "AND last_seen_at > ? ORDER BY id DESC",
                                      {p.user_id, now, now - ctx_.settings.session_idle_seconds}));
    Json data = Json::array();
    for (const auto& r : rows)
      data.push_back({{"id", r.text(0)},
                      {"ip", r.text(1)},
                      {"user_agent", r.text(2)},
                      {"device", r.text(3)},
                      {"browser", r.text(4)},
                      {"created_at", formatRfc3339(r.integer(5))},
                      {"last_seen_at", formatRfc3339(r.integer(6))},
                      {"expires_at", formatRfc3339(r.integer(7))},
                      {"current", r.text(0) == p.session_id}});
    return Json{{"data", data}, {"next_cursor", nullptr}};
  });
}

Status AccountService::revokeSession(const Principal& p, const std::string& session_id) {
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY_ASSIGN(auto n, tx.exec("UPDATE sessions SET revoked_at = ? WHERE id = ? AND user_id = ? "
                                  "AND revoked_at IS NULL",
                                  {now, session_id, p.user_id}));
    if (n == 0) return Error::notFound("session");
    return recordAudit(tx, p, {"", "auth.session_revoked", "session", session_id}, now);
  });
}

Result<std::string> AccountService::createOperator(const std::string& raw_email,
                                                   const std::string& password,
                                                   const std::string& name) {
  MJ_TRY_ASSIGN(std::string email, normalizeEmail("email", raw_email));
  MJ_TRY(checkPassword("password", password));
  std::string h = hash(password);
  int64_t now = ctx_.clock.nowSeconds();
  std::string id = newId("usr");
  MJ_TRY(ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    auto r = tx.exec(
        "INSERT INTO users (id, email, name, password_hash, is_operator, email_verified_at, "
        "terms_accepted_at, business_use_confirmed_at, password_changed_at, created_at, "
        "updated_at) "
        "VALUES (?,?,?,?,1,?,?,?,?,?,?)",
        {id, email, name, h, now, now, now, now, now, now});
    if (!r.ok() && r.error().code == ErrorCode::kConflict)
      return Error::make(ErrorCode::kConflict, "an account with this e-mail already exists");
    if (!r.ok()) return std::move(r).error();
    Principal system;
    return recordAudit(tx, system, {"", "operator.created", "user", id}, now);
  }));
  return id;
}

Status AccountService::setPassword(const std::string& raw_email, const std::string& password) {
  MJ_TRY_ASSIGN(std::string email, normalizeEmail("email", raw_email));
  MJ_TRY(checkPassword("password", password));
  std::string h = hash(password);
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT id FROM users WHERE email = ?", {email}));
    if (!row) return Error::notFound("account");
    MJ_TRY(tx.exec(
        "UPDATE users SET password_hash = ?, password_changed_at = ?, updated_at = ? WHERE id = ?",
        {h, now, now, row->text(0)}));
    MJ_TRY(tx.exec("UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                   {now, row->text(0)}));
    Principal system;
    return recordAudit(tx, system, {"", "auth.password_set_by_operator", "user", row->text(0)},
                       now);
  });
}

Result<bool> AccountService::anyOperatorExists() {
  return ctx_.db.read<bool>([&](store::Tx& tx) -> Result<bool> {
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT 1 FROM users WHERE is_operator = 1 LIMIT 1"));
    return row.has_value();
  });
}

}  // namespace mailjuke::core
