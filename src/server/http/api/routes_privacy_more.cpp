// /api/v1/admin/breaches, /api/v1/admin/marketing-sends, /api/v1/unsubscribe (RFC 8058),
// /api/v1/admin/analytics, and the Sec-GPC helpers used by other routes.
#include "server/http/api/routes_privacy_more.h"

#include <spdlog/spdlog.h>

#include "base/clock.h"

#include <fstream>
#include <sstream>

#include "core/jobs/job_runner.h"
#include "core/privacy/analytics.h"
#include "core/privacy/anonymous_export.h"
#include "core/privacy/breaches.h"
#include "core/privacy/consents.h"
#include "core/privacy/dpa.h"
#include "core/privacy/marketing.h"
#include "core/privacy/privacy_service.h"
#include "core/privacy/workspace_erasure.h"
#include "core/privacy/workspace_export.h"
#include "server/http/api/json_input.h"

namespace mailjuke::api {

Result<http::Response> zipDownload(const std::string& path, const std::string& filename) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Error::make(ErrorCode::kGone, "the export is no longer available");
  std::stringstream ss;
  ss << f.rdbuf();
  auto res = http::Response::text(200, "application/zip", ss.str());
  res.headers.set("content-disposition", "attachment; filename=\"" + filename + "\"");
  res.headers.set("cache-control", "no-store");
  return res;
}

namespace {

void addBreachRoutes(Api& api) {
  auto& ctx = api.services().ctx;
  const std::string base = "/api/v1/admin/breaches";
  api.add({"GET", base, "Breach register, newest first, with overdue notifications flagged",
           "admin", Auth::kOperator, 0, [&ctx](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(int limit, c.limit());
             int64_t now = ctx.clock.nowSeconds();
             MJ_TRY_ASSIGN(auto page, ctx.db.read<core::Page>([&](store::Tx& tx) {
               return core::privacy::listBreaches(tx, now, c.cursor(), limit);
             }));
             return http::Response::json(200, page.render());
           }});
  api.add({"POST", base,
           "Record a breach {description, detected_at, aware_at?, authority_notified_at?, "
           "subjects_notified_at?, categories?, people_affected?, measures?, status?}",
           "admin", Auth::kOperator, 64 * 1024,
           [&ctx](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto j, core::privacy::createBreach(ctx, c.body, c.principal));
             return jsonResponse(201, j);
           },
           true, 201});
  api.add({"GET", base + "/{brc}", "A breach with its append-only history", "admin",
           Auth::kOperator, 0, [&ctx](Ctx& c) -> Result<http::Response> {
             int64_t now = ctx.clock.nowSeconds();
             MJ_TRY_ASSIGN(auto j, ctx.db.read<Json>([&](store::Tx& tx) {
               return core::privacy::getBreach(tx, c.param("brc"), now);
             }));
             return jsonResponse(200, j);
           }});
  api.add({"PATCH", base + "/{brc}", "Update a breach; every change is kept in its history",
           "admin", Auth::kOperator, 64 * 1024, [&ctx](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto j,
                           core::privacy::updateBreach(ctx, c.param("brc"), c.body, c.principal));
             return jsonResponse(200, j);
           }});
}

void addMarketingRoutes(Api& api) {
  auto& ctx = api.services().ctx;
  api.add({"GET", "/api/v1/admin/marketing-sends", "Marketing sends, newest first", "admin",
           Auth::kOperator, 0, [&ctx](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(int limit, c.limit());
             MJ_TRY_ASSIGN(auto page, ctx.db.read<core::Page>([&](store::Tx& tx) {
               return core::privacy::listMarketingSends(tx, c.cursor(), limit);
             }));
             return http::Response::json(200, page.render());
           }});
  api.add({"POST", "/api/v1/admin/marketing-sends",
           "Send marketing e-mail {subject, text} to people with current consent (one-click "
           "unsubscribe headers)",
           "admin", Auth::kOperator, 128 * 1024,
           [&ctx](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"subject", "text"}));
             MJ_TRY_ASSIGN(auto subject, in.str("subject", 200));
             MJ_TRY_ASSIGN(auto text, in.str("text", 100000));
             MJ_TRY_ASSIGN(auto j, core::privacy::sendMarketing(ctx, subject, text, c.principal));
             return jsonResponse(201, j);
           },
           true, 201});
  // RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" as a form, without cookies.
  api.add({"GET", "/api/v1/unsubscribe",
           "What the unsubscribe link does (changes nothing; POST unsubscribes)", "legal",
           Auth::kPublic, 0, [&ctx](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(
                 auto j, core::privacy::unsubscribeStatus(ctx, c.req.queryParam("t").value_or("")));
             auto res = jsonResponse(200, j);
             res.headers.set("cache-control", "no-store");
             return res;
           }});
  api.add({"POST", "/api/v1/unsubscribe",
           "One-click unsubscribe (RFC 8058): form body List-Unsubscribe=One-Click, ?t=TOKEN",
           "legal", Auth::kPublic, 4096,
           [&ctx](Ctx& c) -> Result<http::Response> {
             std::string body = c.req.body;
             while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
             if (body.find("List-Unsubscribe=One-Click") == std::string::npos)
               return Error::invalid("List-Unsubscribe",
                                     "send the form body List-Unsubscribe=One-Click");
             MJ_TRY_ASSIGN(auto j,
                           core::privacy::unsubscribe(ctx, c.req.queryParam("t").value_or("")));
             return jsonResponse(200, j);
           },
           false});
}

// Policy §12: the export of a verified no-login access request, through the e-mailed link.
void addAnonymousDownloadRoute(Api& api) {
  auto& ctx = api.services().ctx;
  api.add({"GET", "/api/v1/privacy/requests/{prq}/download",
           "Download the export of a verified no-login request with the e-mailed link (?t=)",
           "privacy", Auth::kPublic, 0, [&ctx](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto path, core::privacy::exportPathByToken(
                                          ctx, c.param("prq"), c.req.queryParam("t").value_or("")));
             return zipDownload(path, "mailjuke-export-" + c.param("prq") + ".zip");
           }});
}

void addWorkspaceExportRoutes(Api& api) {
  auto& ctx = api.services().ctx;
  auto& privacy = api.services().privacy;
  const std::string base = "/api/v1/workspaces/{ws}/exports";
  api.add({"POST", base, "Export the whole workspace as a ZIP (owner only; a job: poll the export)",
           "workspaces", Auth::kAny, 1024,
           [&ctx, &privacy](Ctx& c) -> Result<http::Response> {
             MJ_TRY(JsonInput::from(c.body, {}));
             MJ_TRY_ASSIGN(auto j,
                           core::privacy::startWorkspaceExport(ctx, c.principal, c.param("ws")));
             const std::string id = j["id"].get<std::string>();
             const std::string dir = privacy.settings().export_dir;
             const std::string blobs = privacy.settings().blob_dir;
             const int64_t days = privacy.settings().export_valid_days;
             if (auto* runner = privacy.runner()) {
               runner->submit([&ctx, dir, blobs, days, id] {
                 (void)core::privacy::buildWorkspaceExport(ctx, dir, blobs, days, id);
               });
             } else {
               MJ_TRY(core::privacy::buildWorkspaceExport(ctx, dir, blobs, days, id));
             }
             return jsonResponse(202, j);
           },
           true, 202});
  api.add({"GET", base + "/{wex}", "A workspace export: status and download_url when ready",
           "workspaces", Auth::kAny, 0, [&ctx](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto j, core::privacy::getWorkspaceExport(
                                       ctx, c.principal, c.param("ws"), c.param("wex")));
             return jsonResponse(200, j);
           }});
  api.add({"GET", base + "/{wex}/download", "Download a workspace export (ZIP; valid 5 days)",
           "workspaces", Auth::kAny, 0, [&ctx](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto path, core::privacy::workspaceExportPath(
                                          ctx, c.principal, c.param("ws"), c.param("wex")));
             return zipDownload(path, "workspace-" + c.param("ws") + "-export.zip");
           }});
}

void addAnalyticsRoutes(Api& api) {
  auto& ctx = api.services().ctx;
  api.add({"GET", "/api/v1/admin/analytics",
           "Daily product usage counts (from, to: YYYY-MM-DD; event); groups of fewer than 5 "
           "workspaces are suppressed",
           "admin", Auth::kOperator, 0, [&ctx](Ctx& c) -> Result<http::Response> {
             int64_t now = ctx.clock.nowSeconds();
             std::string to = c.req.queryParam("to").value_or(formatDate(now));
             std::string from = c.req.queryParam("from").value_or(formatDate(now - 30 * 86400));
             auto event = c.req.queryParam("event");
             MJ_TRY_ASSIGN(auto j, ctx.db.read<Json>([&](store::Tx& tx) {
               return core::privacy::analyticsReport(tx, from, to, event);
             }));
             return jsonResponse(200, j);
           }});
}

}  // namespace

bool hasGpc(const Ctx& c) {
  auto v = c.req.headers.get("sec-gpc");
  if (!v) return false;
  std::string s(*v);
  while (!s.empty() && s.back() == ' ') s.pop_back();
  while (!s.empty() && s.front() == ' ') s.erase(0, 1);
  return s == "1";
}

void recordUsage(Api& api, const Ctx& c, const std::string& user_id,
                 const std::string& workspace_id, const std::string& event) {
  if (user_id.empty()) return;
  auto r = core::privacy::recordUsage(api.services().ctx, user_id, workspace_id, event, hasGpc(c));
  if (!r.ok()) spdlog::warn("analytics: {} not recorded: {}", event, r.error().message);
}

Status honourGpcHeader(Api& api, const Ctx& c, const Json& choices, Json& out) {
  if (!hasGpc(c)) return {};
  auto& ctx = api.services().ctx;
  int64_t now = ctx.clock.nowSeconds();
  return ctx.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    core::privacy::ConsentEvent who{c.principal.user_id,   "", false, "gpc", "gpc", c.principal.ip,
                                    c.principal.user_agent};
    MJ_TRY_ASSIGN(auto withdrawn, core::privacy::honourGpc(tx, who, choices, now));
    MJ_TRY_ASSIGN(out["consents"], core::privacy::consentState(tx, c.principal.user_id));
    MJ_TRY_ASSIGN(out["consent_history"], core::privacy::consentHistory(tx, c.principal.user_id));
    out["gpc"] = {{"honoured", true}, {"withdrawn", withdrawn}};
    return {};
  });
}

Status addDpaStatus(Api& api, const std::string& workspace_id, Json& out) {
  auto& ctx = api.services().ctx;
  const std::string current = api.services().privacy.settings().dpa_version;
  MJ_TRY_ASSIGN(out["dpa"], ctx.db.read<Json>([&](store::Tx& tx) {
    return core::privacy::dpaStatus(tx, workspace_id, current);
  }));
  return {};
}

Status addErasureStatus(Api& api, const Ctx& c, const std::string& workspace_id, Json& out) {
  MJ_TRY_ASSIGN(out["scheduled_deletion"], api.services().ctx.db.read<Json>([&](store::Tx& tx) {
    return core::privacy::pendingWorkspaceErasure(tx, workspace_id, c.principal.user_id);
  }));
  return {};
}

Status checkDpaVersion(Api& api, const std::optional<std::string>& version) {
  const std::string current = api.services().privacy.settings().dpa_version;
  if (version && *version != current)
    return Error::invalid("dpa_accepted_version",
                          "is not the data processing agreement in force (" + current + ")");
  return {};
}

void addPrivacyMoreRoutes(Api& api) {
  addBreachRoutes(api);
  addMarketingRoutes(api);
  addAnalyticsRoutes(api);
  addAnonymousDownloadRoute(api);
  addWorkspaceExportRoutes(api);
}

}  // namespace mailjuke::api
