// /api/v1/admin/*: operator (platform staff) routes.
#include "core/notify/outbox.h"
#include "server/http/api/api.h"
#include "server/http/api/json_input.h"

namespace mailjuke::api {

void addAdminRoutes(Api& api) {
  api.add({"GET", "/api/v1/admin/outbox",
           "Platform e-mail and its delivery state (pending, sending, queued, bounced, suppressed, "
           "failed, expired)",
           "admin", Auth::kOperator, 0, [&api](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(int limit, c.limit());
             auto to = c.req.queryParam("to");
             MJ_TRY_ASSIGN(auto page, api.services().ctx.db.read<core::Page>([&](store::Tx& tx) {
               return core::listOutbox(tx, to, c.cursor(), limit);
             }));
             return http::Response::json(200, page.render());
           }});

  auto& workspaces = api.services().workspaces;
  auto& mailboxes = api.services().mailboxes;
  api.add({"GET", "/api/v1/admin/workspaces",
           "Workspaces with counts, owners and the latest operator decision (status, q)", "admin",
           Auth::kOperator, 0, [&workspaces](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(int limit, c.limit());
             MJ_TRY_ASSIGN(auto page,
                           workspaces.adminList(c.req.queryParam("status"), c.req.queryParam("q"),
                                                core::PageRequest{c.cursor(), limit}));
             return http::Response::json(200, page.render());
           }});
  for (const char* verb : {"suspend", "resume"}) {
    const bool suspend = std::string(verb) == "suspend";
    api.add({"POST", std::string("/api/v1/admin/workspaces/{ws}/") + verb,
             suspend ? "Suspend a workspace {reason}: writes refused, mail stopped"
                     : "Resume a suspended workspace {reason?}",
             "admin", Auth::kOperator, 8 * 1024,
             [&workspaces, &mailboxes, suspend](Ctx& c) -> Result<http::Response> {
               MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"reason"}));
               MJ_TRY_ASSIGN(auto reason, in.optStr("reason", 1000));
               if (suspend && !reason) return Error::invalid("reason", "is required");
               auto out = suspend ? workspaces.suspend(c.principal, c.param("ws"), *reason)
                                  : workspaces.resume(c.principal, c.param("ws"),
                                                      reason.value_or("resumed by an operator"));
               if (!out.ok()) return std::move(out).error();
               mailboxes.refreshDirectory();
               return jsonResponse(200, *out);
             }});
  }
}

}  // namespace mailjuke::api
