// /api/v1/admin/*: operator (platform staff) routes.
#include "core/notify/outbox.h"
#include "server/http/api/api.h"

namespace mailjuke::api {

void addAdminRoutes(Api& api) {
  api.add({"GET", "/api/v1/admin/outbox", "Outgoing e-mail waiting for the mail server", "admin",
           Auth::kOperator, 0, [&api](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(int limit, c.limit());
             auto to = c.req.queryParam("to");
             MJ_TRY_ASSIGN(auto page, api.services().ctx.db.read<core::Page>([&](store::Tx& tx) {
               return core::listOutbox(tx, to, c.cursor(), limit);
             }));
             return http::Response::json(200, page.render());
           }});
}

}  // namespace mailjuke::api
