// /api/v1/auth/*: signup, e-mail verification, login, logout, password reset, TOTP.
#include "server/http/api/api.h"
#include "server/http/api/json_input.h"
#include "server/http/api/routes_privacy_more.h"

namespace mailjuke::api {
namespace {
http::Response sessionResponse(Api& api, Ctx& c, const core::NewSession& s, int status) {
  Json body = {{"user", s.user}, {"csrf_token", s.csrf_token}, {"session_id", s.session_id}};
  auto res = jsonResponse(status, body);
  res.headers.add("set-cookie", api.sessionCookie(c.req, s.token, false));
  return res;
}
}  // namespace

void addAuthRoutes(Api& api) {
  auto& acc = api.services().accounts;
  api.add({"POST", "/api/v1/auth/signup", "Create an account (business use only)", "auth",
           Auth::kPublic, 64 * 1024,
           [&api, &acc](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"email", "password", "name", "company",
                                                             "accept_terms", "business_use",
                                                             "marketing_email"}));
             core::SignupInput s;
             MJ_TRY_ASSIGN(s.email, in.str("email", 320));
             MJ_TRY_ASSIGN(s.password, in.str("password", 1024));
             MJ_TRY_ASSIGN(s.name, in.str("name", 800));
             MJ_TRY_ASSIGN(s.company, in.optStr("company", 800));
             MJ_TRY_ASSIGN(auto terms, in.optBool("accept_terms"));
             MJ_TRY_ASSIGN(auto business, in.optBool("business_use"));
             MJ_TRY_ASSIGN(auto marketing, in.optBool("marketing_email"));
             s.accept_terms = terms.value_or(false);
             s.business_use = business.value_or(false);
             s.marketing_email = marketing.value_or(false);
             MJ_TRY_ASSIGN(auto session, acc.signup(s, c.principal));
             return sessionResponse(api, c, session, 201);
           },
           true, 201});
  api.add({"POST", "/api/v1/auth/verify-email", "Confirm an e-mail address", "auth", Auth::kPublic,
           8 * 1024, [&acc](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"token"}));
             MJ_TRY_ASSIGN(auto token, in.str("token", 256));
             MJ_TRY(acc.verifyEmail(token));
             return jsonResponse(200, {{"verified", true}});
           }});
  api.add({"POST", "/api/v1/auth/login", "Sign in (with a TOTP code when 2FA is on)", "auth",
           Auth::kPublic, 8 * 1024, [&api, &acc](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"email", "password", "totp_code"}));
             MJ_TRY_ASSIGN(auto email, in.str("email", 320));
             MJ_TRY_ASSIGN(auto password, in.str("password", 1024));
             MJ_TRY_ASSIGN(auto totp, in.optStr("totp_code", 32));
             MJ_TRY_ASSIGN(auto session, acc.login(email, password, totp, c.principal));
             recordUsage(api, c, session.user.value("id", ""), "", "login");
             return sessionResponse(api, c, session, 200);
           }});
  api.add({"POST", "/api/v1/auth/logout", "Sign out", "auth", Auth::kUser, 1024,
           [&api, &acc](Ctx& c) -> Result<http::Response> {
             MJ_TRY(JsonInput::from(c.body, {}));
             MJ_TRY(acc.logout(c.principal));
             auto res = http::Response::empty(204);
             res.headers.add("set-cookie", api.sessionCookie(c.req, "", true));
             return res;
           },
           true, 204});
  api.add({"POST", "/api/v1/auth/password-reset", "Ask for a password reset e-mail (always 202)",
           "auth", Auth::kPublic, 8 * 1024,
           [&acc](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"email"}));
             MJ_TRY_ASSIGN(auto email, in.str("email", 320));
             MJ_TRY(acc.requestPasswordReset(email, c.principal));
             return jsonResponse(202, {{"status", "accepted"}});
           },
           true, 202});
  api.add({"POST", "/api/v1/auth/password-reset/confirm", "Set a new password with a reset token",
           "auth", Auth::kPublic, 8 * 1024, [&acc](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"token", "password"}));
             MJ_TRY_ASSIGN(auto token, in.str("token", 256));
             MJ_TRY_ASSIGN(auto password, in.str("password", 1024));
             MJ_TRY(acc.confirmPasswordReset(token, password, c.principal));
             return jsonResponse(200, {{"password_changed", true}});
           }});
  api.add({"POST", "/api/v1/auth/totp", "Start TOTP enrolment", "auth", Auth::kUser, 1024,
           [&acc](Ctx& c) -> Result<http::Response> {
             MJ_TRY(JsonInput::from(c.body, {}));
             MJ_TRY_ASSIGN(auto e, acc.startTotp(c.principal));
             return jsonResponse(200, {{"secret", e.secret_base32},
                                       {"otpauth_uri", e.otpauth_uri},
                                       {"qr_svg", e.qr_svg}});
           }});
  api.add({"POST", "/api/v1/auth/totp/confirm",
           "Confirm TOTP enrolment; returns recovery codes once", "auth", Auth::kUser, 1024,
           [&acc](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"code"}));
             MJ_TRY_ASSIGN(auto code, in.str("code", 16));
             MJ_TRY_ASSIGN(auto codes, acc.confirmTotp(c.principal, code));
             return jsonResponse(200, {{"enabled", true}, {"recovery_codes", codes}});
           }});
  api.add({"DELETE", "/api/v1/auth/totp", "Turn TOTP off (code or password)", "auth", Auth::kUser,
           1024,
           [&acc](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"code", "password"}));
             MJ_TRY_ASSIGN(auto code, in.optStr("code", 32));
             MJ_TRY_ASSIGN(auto password, in.optStr("password", 1024));
             MJ_TRY(acc.disableTotp(c.principal, code, password));
             return http::Response::empty(204);
           },
           true, 204});
}

}  // namespace mailjuke::api
