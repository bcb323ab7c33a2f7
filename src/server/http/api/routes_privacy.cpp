// Privacy, public half and the signed-in person's half: the policy and its versions, the
// subprocessor list, the Art. 30 records, the no-login request flow; /api/v1/me/privacy,
// consents, and data subject requests (docs/privacy.md lists the response fields).

#include "core/privacy/policy.h"
#include "core/privacy/privacy_service.h"
#include "core/privacy/records.h"
#include "core/privacy/subprocessors.h"
#include "server/http/api/api.h"
#include "server/http/api/json_input.h"
#include "server/http/api/routes_privacy_more.h"

namespace mailjuke::api {
namespace {

void addLegalRoutes(Api& api) {
  auto& ctx = api.services().ctx;
  api.add({"GET", "/api/v1/legal/privacy-policy",
           "The privacy policy in effect (text, version, effective date) and its history", "legal",
           Auth::kPublic, 0, [&ctx](Ctx&) -> Result<http::Response> {
             int64_t now = ctx.clock.nowSeconds();
             MJ_TRY_ASSIGN(auto j, ctx.db.read<Json>([&](store::Tx& tx) {
               return core::privacy::currentPolicy(tx, now);
             }));
             return jsonResponse(200, j);
           }});
  api.add({"GET", "/api/v1/legal/privacy-policy/versions/{version}",
           "One published version of the privacy policy", "legal", Auth::kPublic, 0,
           [&ctx](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto j, ctx.db.read<Json>([&](store::Tx& tx) {
               return core::privacy::policyVersion(tx, c.param("version"));
             }));
             return jsonResponse(200, j);
           }});
  api.add({"GET", "/api/v1/legal/subprocessors",
           "Subprocessors: vendor, purpose, data categories, location, transfer safeguard", "legal",
           Auth::kPublic, 0, [&ctx](Ctx&) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto j, ctx.db.read<Json>([&](store::Tx& tx) {
               return core::privacy::listSubprocessors(tx);
             }));
             return jsonResponse(200, j);
           }});
  api.add({"GET", "/api/v1/legal/processing-records",
           "Art. 30 records of processing, generated from the data inventory", "legal",
           Auth::kPublic, 0, [&ctx](Ctx&) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto j, ctx.db.read<Json>([&](store::Tx& tx) {
               return core::privacy::processingRecords(tx, ctx.settings);
             }));
             return jsonResponse(200, j);
           }});
}

void addAnonymousRequestRoutes(Api& api) {
  auto& privacy = api.services().privacy;
  api.add({"POST", "/api/v1/privacy/requests",
           "A privacy request without a login: a 6-digit code is e-mailed (never reveals whether "
           "an account exists)",
           "privacy", Auth::kPublic, 16 * 1024,
           [&privacy](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"email", "type", "message"}));
             MJ_TRY_ASSIGN(auto email, in.str("email", 320));
             MJ_TRY_ASSIGN(auto type, in.str("type", 32));
             MJ_TRY_ASSIGN(auto message, in.optStr("message", 4000));
             MJ_TRY_ASSIGN(auto j, privacy.createAnonymous(email, type, message, c.principal));
             return jsonResponse(202, j);
           },
           true, 202});
  api.add({"POST", "/api/v1/privacy/requests/{prq}/verify",
           "Verify a no-login privacy request with its code (6 digits, 10 min, 3 tries)", "privacy",
           Auth::kPublic, 1024, [&privacy](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"code"}));
             MJ_TRY_ASSIGN(auto code, in.str("code", 16));
             MJ_TRY_ASSIGN(auto j, privacy.verifyAnonymous(c.param("prq"), code));
             return jsonResponse(200, j);
           }});
}

void addMyPrivacyRoutes(Api& api) {
  auto& privacy = api.services().privacy;
  api.add({"GET", "/api/v1/me/privacy",
           "My consents, open requests, and what MailJuke holds about me and why", "privacy",
           Auth::kUser, 0, [&privacy](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto j, privacy.myPrivacy(c.principal));
             auto res = jsonResponse(200, j);
             res.headers.set("cache-control", "no-store");
             return res;
           }});
  api.add({"PUT", "/api/v1/me/consents",
           "Give or withdraw consents {analytics, marketing_email, preferences} (append-only)",
           "privacy", Auth::kUser, 8 * 1024, [&privacy, &api](Ctx& c) -> Result<http::Response> {
             if (!c.body.is_object()) return Error::invalid("body", "must be a JSON object");
             Json choices = c.body;
             std::optional<std::string> notice;
             if (choices.contains("notice_version")) {
               if (!choices["notice_version"].is_string())
                 return Error::invalid("notice_version", "must be a string");
               notice = choices["notice_version"].get<std::string>().substr(0, 64);
               choices.erase("notice_version");
             }
             MJ_TRY_ASSIGN(auto j, privacy.setConsents(c.principal, choices, notice));
             MJ_TRY(honourGpcHeader(api, c, choices, j));
             return jsonResponse(200, j);
           }});
  api.add({"POST", "/api/v1/me/privacy/policy-acknowledgements",
           "Acknowledge the current privacy policy (clears the change banner)", "privacy",
           Auth::kUser, 1024, [&privacy](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"version"}));
             MJ_TRY_ASSIGN(auto version, in.optStr("version", 64));
             MJ_TRY_ASSIGN(auto j, privacy.acknowledgePolicy(c.principal, version));
             return jsonResponse(200, j);
           }});
  api.add({"POST", "/api/v1/me/privacy/requests",
           "A data subject request (access, portability, rectification, erasure, restriction, "
           "objection); the body re-authenticates (password, totp_code)",
           "privacy", Auth::kUser, 16 * 1024,
           [&privacy, &api](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in,
                           JsonInput::from(c.body, {"type", "password", "totp_code", "purpose",
                                                    "name", "company", "message", "workspace_id"}));
             core::privacy::RequestInput r;
             MJ_TRY_ASSIGN(r.type, in.str("type", 32));
             MJ_TRY_ASSIGN(r.password, in.str("password", 1024));
             MJ_TRY_ASSIGN(r.totp_code, in.optStr("totp_code", 16));
             MJ_TRY_ASSIGN(r.purpose, in.optStr("purpose", 64));
             MJ_TRY_ASSIGN(r.name, in.optStr("name", 800));
             MJ_TRY_ASSIGN(r.company, in.nullableStr("company", 800));
             MJ_TRY_ASSIGN(r.message, in.optStr("message", 4000));
             MJ_TRY_ASSIGN(r.workspace_id, in.optStr("workspace_id", 64));
             MJ_TRY_ASSIGN(auto j, privacy.createRequest(c.principal, r));
             // Erasure revoked the person's API keys: drop them from the key cache at once.
             if (r.type == "erasure") api.services().workspaces.forgetKeys();
             return jsonResponse(202, j);
           },
           true, 202});
  api.add({"GET", "/api/v1/me/privacy/requests/{prq}",
           "One of my privacy requests: status, due date, download_url when an export is ready",
           "privacy", Auth::kUser, 0, [&privacy](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto j, privacy.getRequest(c.principal, c.param("prq")));
             return jsonResponse(200, j);
           }});
  api.add({"POST", "/api/v1/me/privacy/requests/{prq}/cancel",
           "Cancel my scheduled workspace erasure before its date", "privacy", Auth::kUser, 1024,
           [&privacy](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto j, privacy.cancelRequest(c.principal, c.param("prq")));
             return jsonResponse(200, j);
           }});
  api.add({"GET", "/api/v1/me/privacy/requests/{prq}/download",
           "Download my export (ZIP; valid 5 days)", "privacy", Auth::kUser, 0,
           [&privacy](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto path, privacy.exportPath(c.principal, c.param("prq")));
             return zipDownload(path, "mailjuke-export-" + c.param("prq") + ".zip");
           }});
}

}  // namespace

void addPrivacyRoutes(Api& api) {
  addLegalRoutes(api);
  addAnonymousRequestRoutes(api);
  addMyPrivacyRoutes(api);
}

}  // namespace mailjuke::api
