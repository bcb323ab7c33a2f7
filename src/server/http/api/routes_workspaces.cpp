// /api/v1/workspaces/*: workspaces, members, invitations, API keys, audit events.
#include "server/http/api/api.h"
#include "server/http/api/json_input.h"
#include "server/http/api/routes_privacy_more.h"

namespace mailjuke::api {
namespace {
Result<core::AuditQuery> auditQuery(const Ctx& c) {
  core::AuditQuery q;
  q.workspace_id = c.param("ws");
  MJ_TRY_ASSIGN(q.limit, c.limit());
  q.cursor = c.cursor();
  q.action = c.req.queryParam("action");
  q.actor_id = c.req.queryParam("actor");
  return q;
}
}  // namespace

void addWorkspaceRoutes(Api& api) {
  auto& ws = api.services().workspaces;
  api.add({"GET", "/api/v1/workspaces", "My workspaces", "workspaces", Auth::kAny, 0,
           [&ws](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(int limit, c.limit());
             MJ_TRY_ASSIGN(auto page, ws.list(c.principal, c.cursor(), limit));
             return http::Response::json(200, page.render());
           }});
  api.add({"POST", "/api/v1/workspaces", "Create a workspace (you become its owner)", "workspaces",
           Auth::kUser, 16 * 1024,
           [&ws](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"name", "data_region"}));
             MJ_TRY_ASSIGN(auto name, in.str("name", 400));
             MJ_TRY_ASSIGN(auto region, in.optStr("data_region", 16));
             MJ_TRY_ASSIGN(auto out, ws.create(c.principal, name, region));
             return jsonResponse(201, out);
           },
           true, 201});
  api.add({"GET", "/api/v1/workspaces/{ws}", "A workspace and its settings", "workspaces",
           Auth::kAny, 0, [&ws, &api](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto out, ws.get(c.principal, c.param("ws")));
             MJ_TRY(addDpaStatus(api, c.param("ws"), out));
             MJ_TRY(addErasureStatus(api, c, c.param("ws"), out));
             return jsonResponse(200, out);
           }});
  api.add({"PATCH", "/api/v1/workspaces/{ws}", "Rename, change settings or region, accept the DPA",
           "workspaces", Auth::kAny, 64 * 1024, [&ws, &api](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"name", "data_region", "settings",
                                                             "dpa_accepted_version"}));
             MJ_TRY(in.optStr("name", 400));
             MJ_TRY(in.optStr("data_region", 16));
             MJ_TRY_ASSIGN(auto dpa, in.optStr("dpa_accepted_version", 32));
             MJ_TRY(checkDpaVersion(api, dpa));
             if (in.has("settings") && !in.raw()["settings"].is_object())
               return Error::invalid("settings", "must be an object");
             Json patch = Json::object();
             for (const char* k : {"name", "data_region", "settings", "dpa_accepted_version"})
               if (in.has(k) && !in.raw()[k].is_null()) patch[k] = in.raw()[k];
             MJ_TRY_ASSIGN(auto out, ws.update(c.principal, c.param("ws"), patch));
             MJ_TRY(addDpaStatus(api, c.param("ws"), out));
             MJ_TRY(addErasureStatus(api, c, c.param("ws"), out));
             return jsonResponse(200, out);
           }});
  api.add({"DELETE", "/api/v1/workspaces/{ws}", "Delete a workspace (owner; confirm by name)",
           "workspaces", Auth::kAny, 8 * 1024,
           [&ws](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"confirm_name"}));
             MJ_TRY_ASSIGN(auto confirm, in.str("confirm_name", 400));
             MJ_TRY(ws.remove(c.principal, c.param("ws"), confirm));
             return http::Response::empty(204);
           },
           true, 204});

  api.add({"GET", "/api/v1/workspaces/{ws}/members", "Members", "members", Auth::kAny, 0,
           [&ws](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(int limit, c.limit());
             MJ_TRY_ASSIGN(auto page,
                           ws.listMembers(c.principal, c.param("ws"), c.cursor(), limit));
             return http::Response::json(200, page.render());
           }});
  api.add({"POST", "/api/v1/workspaces/{ws}/members", "Invite someone by e-mail", "members",
           Auth::kAny, 8 * 1024,
           [&ws](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"email", "role"}));
             MJ_TRY_ASSIGN(auto email, in.str("email", 320));
             MJ_TRY_ASSIGN(auto role, in.str("role", 32));
             MJ_TRY_ASSIGN(auto out, ws.invite(c.principal, c.param("ws"), email, role));
             return jsonResponse(201, out);
           },
           true, 201});
  api.add({"PATCH", "/api/v1/workspaces/{ws}/members/{mem}", "Change a member's role", "members",
           Auth::kAny, 8 * 1024, [&ws](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"role"}));
             MJ_TRY_ASSIGN(auto role, in.str("role", 32));
             MJ_TRY_ASSIGN(auto out,
                           ws.changeRole(c.principal, c.param("ws"), c.param("mem"), role));
             return jsonResponse(200, out);
           }});
  api.add({"DELETE", "/api/v1/workspaces/{ws}/members/{mem}", "Remove a member (or leave)",
           "members", Auth::kAny, 0,
           [&ws](Ctx& c) -> Result<http::Response> {
             MJ_TRY(ws.removeMember(c.principal, c.param("ws"), c.param("mem")));
             return http::Response::empty(204);
           },
           true, 204});
  api.add({"GET", "/api/v1/workspaces/{ws}/invitations", "Pending invitations", "members",
           Auth::kAny, 0, [&ws](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(int limit, c.limit());
             MJ_TRY_ASSIGN(auto page,
                           ws.listInvitations(c.principal, c.param("ws"), c.cursor(), limit));
             return http::Response::json(200, page.render());
           }});
  api.add({"DELETE", "/api/v1/workspaces/{ws}/invitations/{inv}", "Revoke a pending invitation",
           "members", Auth::kAny, 0,
           [&ws](Ctx& c) -> Result<http::Response> {
             MJ_TRY(ws.revokeInvitation(c.principal, c.param("ws"), c.param("inv")));
             return http::Response::empty(204);
           },
           true, 204});
  api.add({"POST", "/api/v1/invitations/accept", "Accept an invitation", "members", Auth::kUser,
           8 * 1024, [&ws](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"token"}));
             MJ_TRY_ASSIGN(auto token, in.str("token", 256));
             MJ_TRY_ASSIGN(auto out, ws.acceptInvitation(c.principal, token));
             return jsonResponse(200, out);
           }});

  api.add({"GET", "/api/v1/workspaces/{ws}/api-keys", "API keys (secrets never shown again)",
           "api-keys", Auth::kAny, 0, [&ws](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(int limit, c.limit());
             MJ_TRY_ASSIGN(auto page, ws.listKeys(c.principal, c.param("ws"), c.cursor(), limit));
             return http::Response::json(200, page.render());
           }});
  api.add({"POST", "/api/v1/workspaces/{ws}/api-keys", "Create an API key; the key is shown once",
           "api-keys", Auth::kAny, 8 * 1024,
           [&ws](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"name", "role"}));
             MJ_TRY_ASSIGN(auto name, in.str("name", 400));
             MJ_TRY_ASSIGN(auto role, in.str("role", 32));
             MJ_TRY_ASSIGN(auto out, ws.createKey(c.principal, c.param("ws"), name, role));
             return jsonResponse(201, out);
           },
           true, 201});
  api.add({"DELETE", "/api/v1/workspaces/{ws}/api-keys/{key}", "Revoke an API key", "api-keys",
           Auth::kAny, 0,
           [&ws](Ctx& c) -> Result<http::Response> {
             MJ_TRY(ws.revokeKey(c.principal, c.param("ws"), c.param("key")));
             return http::Response::empty(204);
           },
           true, 204});
  Route audit{"GET",
              "/api/v1/workspaces/{ws}/audit-events",
              "Who did what, when, from where",
              "audit",
              Auth::kAny,
              0,
              [&ws](Ctx& c) -> Result<http::Response> {
                MJ_TRY_ASSIGN(auto q, auditQuery(c));
                MJ_TRY_ASSIGN(auto page, ws.audit(c.principal, q));
                return http::Response::json(200, *page);
              }};
  // The benchmark's hot path: a cached page for a cached API key, answered on the network thread.
  audit.fast = [&ws](Ctx& c) -> std::optional<http::Response> {
    auto q = auditQuery(c);
    if (!q.ok()) return std::nullopt;
    auto page = ws.cachedAudit(c.principal, *q);
    if (!page) return std::nullopt;
    return http::Response::json(200, *page);
  };
  api.add(std::move(audit));
}

}  // namespace mailjuke::api
