// /api/v1/admin: the privacy request queue, policy versions, subprocessors, scheduled
// workspace deletions and retention runs (operators only).
#include "base/clock.h"
#include "core/privacy/policy.h"
#include "core/privacy/privacy_service.h"
#include "core/privacy/retention.h"
#include "core/privacy/subprocessors.h"
#include "server/http/api/api.h"
#include "server/http/api/json_input.h"
#include "server/http/api/routes_privacy_more.h"

namespace mailjuke::api {
namespace {

Result<core::privacy::SubprocessorInput> subprocessorInput(const Json& body) {
  MJ_TRY_ASSIGN(auto in, JsonInput::from(body, {"vendor", "purpose", "data_categories", "location",
                                                "transfer_safeguard"}));
  core::privacy::SubprocessorInput s;
  MJ_TRY_ASSIGN(s.vendor, in.optStr("vendor", 500));
  MJ_TRY_ASSIGN(s.purpose, in.optStr("purpose", 500));
  MJ_TRY_ASSIGN(s.location, in.optStr("location", 500));
  MJ_TRY_ASSIGN(s.safeguard, in.optStr("transfer_safeguard", 500));
  if (body.contains("data_categories")) {
    const auto& cats = body["data_categories"];
    if (!cats.is_array()) return Error::invalid("data_categories", "must be an array of strings");
    std::vector<std::string> v;
    for (const auto& c : cats) {
      if (!c.is_string()) return Error::invalid("data_categories", "must be an array of strings");
      v.push_back(c.get<std::string>());
    }
    s.data_categories = v;
  }
  return s;
}

void addQueueRoutes(Api& api) {
  auto& privacy = api.services().privacy;
  const std::string base = "/api/v1/admin/privacy-requests";
  api.add({"GET", base, "Privacy requests queue by due date with days left (status filter)",
           "admin", Auth::kOperator, 0, [&privacy](Ctx& c) -> Result<http::Response> {
             core::privacy::QueueQuery q;
             MJ_TRY_ASSIGN(q.limit, c.limit());
             q.cursor = c.cursor();
             q.status = c.req.queryParam("status");
             MJ_TRY_ASSIGN(auto page, privacy.queue(q));
             return http::Response::json(200, page.render());
           }});
  api.add({"GET", base + "/{prq}", "A privacy request with its history", "admin", Auth::kOperator,
           0, [&privacy](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto j, privacy.adminGet(c.param("prq")));
             return jsonResponse(200, j);
           }});
  api.add({"POST", base + "/{prq}/extend",
           "Extend the deadline by 1 or 2 months with a reason (the requester is told)", "admin",
           Auth::kOperator, 8 * 1024, [&privacy](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"months", "reason"}));
             MJ_TRY_ASSIGN(auto months, in.optInt("months", 1, 2));
             MJ_TRY_ASSIGN(auto reason, in.str("reason", 4000));
             MJ_TRY_ASSIGN(auto j, privacy.extend(c.param("prq"), int(months.value_or(1)), reason,
                                                  c.principal));
             return jsonResponse(200, j);
           }});
  api.add({"POST", base + "/{prq}/refuse",
           "Refuse with reasons; the requester is told how to complain", "admin", Auth::kOperator,
           8 * 1024, [&privacy](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"reason"}));
             MJ_TRY_ASSIGN(auto reason, in.str("reason", 4000));
             MJ_TRY_ASSIGN(auto j, privacy.refuse(c.param("prq"), reason, c.principal));
             return jsonResponse(200, j);
           }});
  api.add({"POST", base + "/{prq}/complete", "Mark a request done (with a note)", "admin",
           Auth::kOperator, 8 * 1024, [&privacy](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"note"}));
             MJ_TRY_ASSIGN(auto note, in.optStr("note", 4000));
             MJ_TRY_ASSIGN(auto j,
                           privacy.complete(c.param("prq"), note.value_or(""), c.principal));
             return jsonResponse(200, j);
           }});
  api.add({"POST", "/api/v1/admin/workspace-deletions/{ws}/cancel",
           "Cancel the scheduled deletion of an erased owner's workspace", "admin", Auth::kOperator,
           1024,
           [&privacy](Ctx& c) -> Result<http::Response> {
             MJ_TRY(privacy.cancelWorkspaceDeletion(c.param("ws"), c.principal));
             return http::Response::empty(204);
           },
           false, 204});
  auto& ctx = api.services().ctx;
  api.add({"POST", "/api/v1/admin/retention/run",
           "Run the retention jobs now (they also run hourly)", "admin", Auth::kOperator, 1024,
           [&ctx, &privacy](Ctx&) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto j, core::privacy::runRetention(ctx, privacy.settings()));
             return jsonResponse(200, j);
           },
           false});
}

void addPolicyAndVendorRoutes(Api& api) {
  auto& ctx = api.services().ctx;
  api.add({"GET", "/api/v1/admin/policy-versions", "Published privacy policy versions", "admin",
           Auth::kOperator, 0, [&ctx](Ctx&) -> Result<http::Response> {
             int64_t now = ctx.clock.nowSeconds();
             MJ_TRY_ASSIGN(auto j, ctx.db.read<Json>([&](store::Tx& tx) {
               return core::privacy::currentPolicy(tx, now);
             }));
             return jsonResponse(200, Json{{"data", j["history"]}, {"next_cursor", nullptr}});
           }});
  api.add({"POST", "/api/v1/admin/policy-versions",
           "Publish a policy version {version, text, effective_at?, material?}; material changes "
           "e-mail every active user",
           "admin", Auth::kOperator, 512 * 1024,
           [&ctx](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(
                 auto in, JsonInput::from(c.body, {"version", "text", "effective_at", "material"}));
             core::privacy::PolicyInput p;
             MJ_TRY_ASSIGN(p.version, in.str("version", 64));
             MJ_TRY_ASSIGN(p.text, in.str("text", 400 * 1024));
             MJ_TRY_ASSIGN(auto eff, in.optStr("effective_at", 64));
             if (eff) {
               p.effective_at = parseRfc3339(*eff);
               if (p.effective_at < 0) return Error::invalid("effective_at", "must be RFC 3339");
             }
             MJ_TRY_ASSIGN(auto material, in.optBool("material"));
             p.material = material.value_or(false);
             MJ_TRY_ASSIGN(auto j, core::privacy::publishPolicy(ctx, p, c.principal.user_id));
             return jsonResponse(201, j);
           },
           true, 201});
  api.add({"GET", "/api/v1/admin/subprocessors", "Subprocessor registry", "admin", Auth::kOperator,
           0, [&ctx](Ctx&) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto j, ctx.db.read<Json>([&](store::Tx& tx) {
               return core::privacy::listSubprocessors(tx);
             }));
             return jsonResponse(200, j);
           }});
  api.add({"POST", "/api/v1/admin/subprocessors",
           "Add a subprocessor {vendor, purpose, data_categories, location, transfer_safeguard}",
           "admin", Auth::kOperator, 16 * 1024,
           [&ctx](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto s, subprocessorInput(c.body));
             MJ_TRY_ASSIGN(auto j, core::privacy::createSubprocessor(ctx, s));
             return jsonResponse(201, j);
           },
           true, 201});
  api.add({"PATCH", "/api/v1/admin/subprocessors/{spr}", "Update a subprocessor", "admin",
           Auth::kOperator, 16 * 1024, [&ctx](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto s, subprocessorInput(c.body));
             MJ_TRY_ASSIGN(auto j, core::privacy::updateSubprocessor(ctx, c.param("spr"), s));
             return jsonResponse(200, j);
           }});
  api.add({"DELETE", "/api/v1/admin/subprocessors/{spr}", "Remove a subprocessor", "admin",
           Auth::kOperator, 1024,
           [&ctx](Ctx& c) -> Result<http::Response> {
             MJ_TRY(core::privacy::deleteSubprocessor(ctx, c.param("spr")));
             return http::Response::empty(204);
           },
           false, 204});
}

}  // namespace

void addPrivacyAdminRoutes(Api& api) {
  addQueueRoutes(api);
  addPolicyAndVendorRoutes(api);
  addPrivacyMoreRoutes(api);
}

}  // namespace mailjuke::api
