// /api/v1/domains/availability and /api/v1/workspaces/{ws}/domains/*.
#include "server/http/api/api.h"
#include "server/http/api/json_input.h"
#include "server/http/api/routes_privacy_more.h"

namespace mailjuke::api {
namespace {
Result<core::RecordInput> recordInput(const Json& body) {
  MJ_TRY_ASSIGN(auto in, JsonInput::from(body, {"name", "type", "ttl", "value"}));
  core::RecordInput r;
  MJ_TRY_ASSIGN(r.name, in.optStr("name", 255));
  MJ_TRY_ASSIGN(r.type, in.optStr("type", 16));
  MJ_TRY_ASSIGN(r.value, in.optStr("value", 4000));
  MJ_TRY_ASSIGN(r.ttl, in.optInt("ttl", 0, 1LL << 31));
  return r;
}
}  // namespace

void addDomainRoutes(Api& api) {
  auto& domains = api.services().domains;
  api.add({"GET", "/api/v1/domains/availability", "Registrar availability and yearly price",
           "domains", Auth::kPublic, 0, [&domains](Ctx& c) -> Result<http::Response> {
             auto name = c.req.queryParam("name");
             if (!name) return Error::invalid("name", "is required");
             MJ_TRY_ASSIGN(auto out, domains.availability(*name));
             return jsonResponse(200, out);
           }});
  api.add({"GET", "/api/v1/workspaces/{ws}/domains", "Domains", "domains", Auth::kAny, 0,
           [&domains](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(int limit, c.limit());
             MJ_TRY_ASSIGN(auto page, domains.list(c.principal, c.param("ws"), c.cursor(), limit));
             return http::Response::json(200, page.render());
           }});
  api.add({"POST", "/api/v1/workspaces/{ws}/domains", "Buy or connect a domain", "domains",
           Auth::kAny, 16 * 1024,
           [&domains, &api](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, JsonInput::from(
                                        c.body, {"name", "source", "forward_url", "dmarc_policy"}));
             core::DomainInput d;
             MJ_TRY_ASSIGN(d.name, in.str("name", 1024));
             MJ_TRY_ASSIGN(d.source, in.str("source", 16));
             MJ_TRY_ASSIGN(d.forward_url, in.optStr("forward_url", 4096));
             MJ_TRY_ASSIGN(d.dmarc_policy, in.optStr("dmarc_policy", 16));
             MJ_TRY_ASSIGN(auto out, domains.add(c.principal, c.param("ws"), d));
             recordUsage(api, c, c.principal.user_id, c.param("ws"), "domain_added");
             return jsonResponse(201, out);
           },
           true, 201});
  auto& bulk = api.services().domain_bulk;
  api.add({"POST", "/api/v1/workspaces/{ws}/domains/bulk",
           "Add up to 500 domains as a job (202; poll the job for per-row results)", "domains",
           Auth::kAny, 256 * 1024,
           [&bulk](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, JsonInput::from(c.body, {"names", "source"}));
             const Json& names = in.raw().contains("names") ? in.raw()["names"] : Json();
             if (!names.is_array() || names.empty() || names.size() > core::kMaxBulkDomains)
               return Error::invalid("names", "must be an array of 1 to 500 domain names");
             std::vector<std::string> list;
             for (const auto& n : names) {
               if (!n.is_string() || n.get<std::string>().size() > 1024)
                 return Error::invalid("names", "every name must be a string (at most 1024)");
               list.push_back(n.get<std::string>());
             }
             MJ_TRY_ASSIGN(auto source, in.str("source", 16));
             MJ_TRY_ASSIGN(auto job, bulk.start(c.principal, c.param("ws"), list, source));
             return jsonResponse(202, job);
           },
           true, 202});
  api.add({"GET", "/api/v1/workspaces/{ws}/domains/{dom}",
           "A domain: status, forwarding, DMARC, DKIM", "domains", Auth::kAny, 0,
           [&domains](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto out, domains.get(c.principal, c.param("ws"), c.param("dom")));
             return jsonResponse(200, out);
           }});
  api.add({"PATCH", "/api/v1/workspaces/{ws}/domains/{dom}",
           "Change forwarding, DMARC policy or autorenew", "domains", Auth::kAny, 16 * 1024,
           [&domains](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in,
                           JsonInput::from(c.body, {"forward_url", "dmarc_policy", "autorenew"}));
             MJ_TRY(in.nullableStr("forward_url", 4096));
             MJ_TRY(in.optStr("dmarc_policy", 16));
             MJ_TRY(in.optBool("autorenew"));
             Json patch = Json::object();
             for (const char* k : {"forward_url", "dmarc_policy", "autorenew"})
               if (in.has(k) && (std::string(k) == "forward_url" || !in.raw()[k].is_null()))
                 patch[k] = in.raw()[k];
             MJ_TRY_ASSIGN(auto out,
                           domains.update(c.principal, c.param("ws"), c.param("dom"), patch));
             return jsonResponse(200, out);
           }});
  api.add({"DELETE", "/api/v1/workspaces/{ws}/domains/{dom}",
           "Delete a domain (its zone leaves DNS)", "domains", Auth::kAny, 0,
           [&domains](Ctx& c) -> Result<http::Response> {
             MJ_TRY(domains.remove(c.principal, c.param("ws"), c.param("dom")));
             return http::Response::empty(204);
           },
           true, 204});
  api.add({"POST", "/api/v1/workspaces/{ws}/domains/{dom}/verify",
           "Check ownership or delegation and the managed records through the resolver", "domains",
           Auth::kAny, 1024, [&domains](Ctx& c) -> Result<http::Response> {
             MJ_TRY(JsonInput::from(c.body, {}));
             MJ_TRY_ASSIGN(auto out, domains.verify(c.principal, c.param("ws"), c.param("dom")));
             return jsonResponse(200, out);
           }});
  api.add({"POST", "/api/v1/workspaces/{ws}/domains/{dom}/dkim/rotate",
           "New DKIM selector, published at once; the old one is kept for a grace period",
           "domains", Auth::kAny, 1024, [&domains](Ctx& c) -> Result<http::Response> {
             MJ_TRY(JsonInput::from(c.body, {}));
             MJ_TRY_ASSIGN(auto out,
                           domains.rotateDkim(c.principal, c.param("ws"), c.param("dom")));
             return jsonResponse(200, out);
           }});
  api.add({"GET", "/api/v1/workspaces/{ws}/domains/{dom}/zone",
           "The zone as an RFC 1035 master file (text/dns)", "domains", Auth::kAny, 0,
           [&domains](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto text, domains.zoneText(c.principal, c.param("ws"), c.param("dom")));
             return http::Response::text(200, "text/dns; charset=utf-8", std::move(text));
           }});
  api.add({"GET", "/api/v1/workspaces/{ws}/domains/{dom}/dns-records",
           "Managed and custom DNS records", "domains", Auth::kAny, 0,
           [&domains](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto out, domains.records(c.principal, c.param("ws"), c.param("dom")));
             return jsonResponse(200, out);
           }});
  api.add({"POST", "/api/v1/workspaces/{ws}/domains/{dom}/dns-records", "Add a custom DNS record",
           "domains", Auth::kAny, 16 * 1024,
           [&domains](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, recordInput(c.body));
             MJ_TRY_ASSIGN(auto out,
                           domains.addRecord(c.principal, c.param("ws"), c.param("dom"), in));
             return jsonResponse(201, out);
           },
           true, 201});
  api.add({"PATCH", "/api/v1/workspaces/{ws}/domains/{dom}/dns-records/{rec}",
           "Change a custom DNS record", "domains", Auth::kAny, 16 * 1024,
           [&domains](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, recordInput(c.body));
             MJ_TRY_ASSIGN(auto out, domains.updateRecord(c.principal, c.param("ws"),
                                                          c.param("dom"), c.param("rec"), in));
             return jsonResponse(200, out);
           }});
  api.add({"DELETE", "/api/v1/workspaces/{ws}/domains/{dom}/dns-records/{rec}",
           "Delete a custom DNS record", "domains", Auth::kAny, 0,
           [&domains](Ctx& c) -> Result<http::Response> {
             MJ_TRY(
                 domains.deleteRecord(c.principal, c.param("ws"), c.param("dom"), c.param("rec")));
             return http::Response::empty(204);
           },
           true, 204});
}

}  // namespace mailjuke::api
