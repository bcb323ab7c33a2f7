// /api/v1/admin/mail-queue: the operator's view of the outbound queue (list with filters,
// retry now, delete).
#include "core/mail/mail_queue.h"
#include "server/http/api/api.h"

namespace mailjuke::api {

void addMailQueueRoutes(Api& api) {
  auto& queue = api.services().mail_queue;
  api.add({"GET", "/api/v1/admin/mail-queue",
           "Outbound mail waiting for delivery (filters: status, domain)", "admin", Auth::kOperator,
           0, [&queue](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(int limit, c.limit());
             core::QueueFilter filter{c.req.queryParam("status"), c.req.queryParam("domain")};
             if (filter.status && *filter.status != "queued" && *filter.status != "delivering")
               return Error::invalid("status", "must be queued or delivering");
             core::PageRequest page;
             page.cursor = c.cursor();
             page.limit = limit;
             MJ_TRY_ASSIGN(auto out, queue.list(filter, page));
             return http::Response::json(200, out.render());
           }});
  api.add({"POST", "/api/v1/admin/mail-queue/{entry}/retry", "Retry a queue entry now", "admin",
           Auth::kOperator, 1024,
           [&queue](Ctx& c) -> Result<http::Response> {
             MJ_TRY(queue.retryNow(c.param("entry")));
             MJ_TRY_ASSIGN(auto entry, queue.get(c.param("entry")));
             if (!entry) return Error::notFound("queue entry");
             return jsonResponse(200, core::queueEntryJson(*entry));
           },
           false});
  api.add({"DELETE", "/api/v1/admin/mail-queue/{entry}", "Delete a queue entry (no DSN)", "admin",
           Auth::kOperator, 1024,
           [&queue](Ctx& c) -> Result<http::Response> {
             MJ_TRY(queue.remove(c.param("entry")));
             return http::Response::empty(204);
           },
           false, 204});
}

}  // namespace mailjuke::api
