// /healthz, /readyz, /metrics, /api/openapi.json.
#include "server/http/api/api.h"

namespace mailjuke::api {

void addSystemRoutes(Api& api) {
  api.add({"GET", "/healthz", "Liveness", "system", Auth::kPublic, 0,
           [](Ctx&) -> Result<http::Response> {
             return jsonResponse(200, {{"status", "ok"}});
           }});
  api.add({"GET", "/readyz", "Readiness: the database answers", "system", Auth::kPublic, 0,
           [&api](Ctx&) -> Result<http::Response> {
             bool db = api.services().ctx.db.ping();
             return jsonResponse(db ? 200 : 503,
                                 {{"status", db ? "ready" : "unavailable"}, {"database", db}});
           }});
  api.add({"GET", "/metrics", "Prometheus metrics", "system", Auth::kPublic, 0,
           [&api](Ctx&) -> Result<http::Response> {
             return http::Response::text(200, "text/plain; version=0.0.4; charset=utf-8",
                                         api.metrics().render());
           }});
  api.add(
      {"GET", "/api/openapi.json", "This OpenAPI document", "system", Auth::kPublic, 0,
       [&api](Ctx&) -> Result<http::Response> { return jsonResponse(200, openApiDocument(api)); }});
}

}  // namespace mailjuke::api
