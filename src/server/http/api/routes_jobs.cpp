// /api/v1/jobs/{job}: polling long work (API.md "Long work").
#include "server/http/api/api.h"

namespace mailjuke::api {

void addJobRoutes(Api& api) {
  auto& jobs = api.services().jobs;
  api.add({"GET", "/api/v1/jobs/{job}", "A job: status, progress and per-row results", "jobs",
           Auth::kAny, 0, [&jobs](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto out, jobs.get(c.principal, c.param("job")));
             return jsonResponse(200, out);
           }});
}

}  // namespace mailjuke::api
