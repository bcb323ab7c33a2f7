// /api/v1/me: profile, e-mail change, sessions.
#include "server/http/api/api.h"
#include "server/http/api/json_input.h"

namespace mailjuke::api {

void addMeRoutes(Api& api) {
  auto& acc = api.services().accounts;
  api.add({"GET", "/api/v1/me", "My profile, workspaces and CSRF token", "me", Auth::kUser, 0,
           [&acc](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto me, acc.me(c.principal));
             return jsonResponse(200, me);
           }});
  api.add({"PATCH", "/api/v1/me", "Update my name, company or e-mail (re-verified)", "me",
           Auth::kUser, 16 * 1024, [&acc](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, JsonInput::from(
                                        c.body, {"name", "company", "email", "current_password"}));
             MJ_TRY_ASSIGN(auto name, in.optStr("name", 800));
             MJ_TRY_ASSIGN(auto company, in.nullableStr("company", 800));
             MJ_TRY_ASSIGN(auto email, in.optStr("email", 320));
             MJ_TRY_ASSIGN(auto current, in.optStr("current_password", 1024));
             MJ_TRY_ASSIGN(auto me, acc.updateMe(c.principal, name, company, email, current));
             return jsonResponse(200, me);
           }});
  api.add({"GET", "/api/v1/me/sessions", "My signed-in devices", "me", Auth::kUser, 0,
           [&acc](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto list, acc.listSessions(c.principal));
             return jsonResponse(200, list);
           }});
  api.add({"DELETE", "/api/v1/me/sessions/{id}", "Sign a device out", "me", Auth::kUser, 0,
           [&acc](Ctx& c) -> Result<http::Response> {
             MJ_TRY(acc.revokeSession(c.principal, c.param("id")));
             return http::Response::empty(204);
           },
           true, 204});
}

}  // namespace mailjuke::api
