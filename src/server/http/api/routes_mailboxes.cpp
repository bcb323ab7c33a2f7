// /api/v1/workspaces/{ws}/mailboxes/*: mailboxes, bulk creation, credentials, sequencer exports.
#include "server/http/api/api.h"
#include "server/http/api/json_input.h"
#include "server/http/api/routes_privacy_more.h"

namespace mailjuke::api {
namespace {

constexpr size_t kNameBytes = 400;  // 100 characters of up to 4 bytes

Result<core::BulkMailboxInput> bulkInput(const Json& body) {
  MJ_TRY_ASSIGN(auto in, JsonInput::from(body, {"domain_ids", "people", "per_domain", "pattern"}));
  core::BulkMailboxInput b;
  const Json& ids = in.has("domain_ids") ? in.raw()["domain_ids"] : Json();
  if (!ids.is_array() || ids.empty() || ids.size() > core::kMaxBulkDomainIds)
    return Error::invalid("domain_ids", "must be an array of 1 to 500 domain ids");
  for (const auto& id : ids) {
    if (!id.is_string() || id.get<std::string>().empty() || id.get<std::string>().size() > 64)
      return Error::invalid("domain_ids", "every domain id must be a non-empty string");
    b.domain_ids.push_back(id.get<std::string>());
  }
  const Json& people = in.has("people") ? in.raw()["people"] : Json();
  if (!people.is_array() || people.empty() || people.size() > core::kMaxBulkPeople)
    return Error::invalid("people", "must be an array of 1 to 2000 people");
  for (size_t i = 0; i < people.size(); ++i) {
    std::string at = "people[" + std::to_string(i) + "]";
    if (!people[i].is_object()) return Error::invalid(at, "must be an object");
    auto person = JsonInput::from(people[i], {"first_name", "last_name"});
    if (!person.ok())
      return Error::invalid(at + "." + person.error().fields.front().field, "is not a known field");
    auto first = person->str("first_name", kNameBytes);
    if (!first.ok()) return Error::invalid(at + ".first_name", first.error().fields[0].message);
    auto last = person->optStr("last_name", kNameBytes);
    if (!last.ok()) return Error::invalid(at + ".last_name", last.error().fields[0].message);
    b.people.push_back({*first, last->value_or("")});
  }
  MJ_TRY_ASSIGN(auto per, in.optInt("per_domain", 1, int64_t(core::kMaxBulkMailboxes)));
  if (!per) return Error::invalid("per_domain", "is required");
  b.per_domain = *per;
  MJ_TRY_ASSIGN(b.pattern, in.str("pattern", 32));
  return b;
}

}  // namespace

void addMailboxRoutes(Api& api) {
  auto& mailboxes = api.services().mailboxes;
  auto& bulk = api.services().mailbox_bulk;
  const std::string base = "/api/v1/workspaces/{ws}/mailboxes";
  api.add({"GET", base, "Mailboxes (filters: domain_id, status, q: address or name contains)",
           "mailboxes", Auth::kAny, 0, [&mailboxes](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(int limit, c.limit());
             core::MailboxFilter f{c.req.queryParam("domain_id"), c.req.queryParam("status"),
                                   c.req.queryParam("q")};
             MJ_TRY_ASSIGN(auto page, mailboxes.list(c.principal, c.param("ws"), f,
                                                     core::PageRequest{c.cursor(), limit}));
             return http::Response::json(200, page.render());
           }});
  api.add({"POST", base, "Create a mailbox (the password is in the response, once)", "mailboxes",
           Auth::kAny, 64 * 1024,
           [&mailboxes, &api](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(
                 auto in,
                 JsonInput::from(c.body, {"domain_id", "local_part", "first_name", "last_name",
                                          "password", "daily_limit", "signature", "forward_to"}));
             core::MailboxInput m;
             MJ_TRY_ASSIGN(m.domain_id, in.str("domain_id", 64));
             MJ_TRY_ASSIGN(m.local_part, in.str("local_part", 256));
             MJ_TRY_ASSIGN(auto first, in.optStr("first_name", kNameBytes));
             MJ_TRY_ASSIGN(auto last, in.optStr("last_name", kNameBytes));
             m.first_name = first.value_or("");
             m.last_name = last.value_or("");
             MJ_TRY_ASSIGN(m.password, in.optStr("password", 1024));
             MJ_TRY_ASSIGN(m.daily_limit, in.optInt("daily_limit", 1, core::kMaxDailyLimit));
             MJ_TRY_ASSIGN(m.signature, in.optStr("signature", core::kMaxSignature));
             MJ_TRY_ASSIGN(m.forward_to, in.optStr("forward_to", 320));
             MJ_TRY_ASSIGN(auto out, mailboxes.create(c.principal, c.param("ws"), m));
             recordUsage(api, c, c.principal.user_id, c.param("ws"), "mailbox_created");
             return jsonResponse(201, out);
           },
           true, 201});
  api.add({"POST", base + "/bulk",
           "Create up to 2000 mailboxes from people × domains with a naming pattern (202 job)",
           "mailboxes", Auth::kAny, 512 * 1024,
           [&bulk](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in, bulkInput(c.body));
             MJ_TRY_ASSIGN(auto job, bulk.start(c.principal, c.param("ws"), in));
             return jsonResponse(202, job);
           },
           true, 202});
  api.add({"GET", base + "/export",
           "Mailboxes as CSV for a sequencer: format=instantly|smartlead|generic, "
           "columns=11|15|21 (instantly), domain_id",
           "mailboxes", Auth::kAny, 0, [&mailboxes](Ctx& c) -> Result<http::Response> {
             auto format = c.req.queryParam("format");
             if (!format) return Error::invalid("format", "is required");
             MJ_TRY_ASSIGN(auto csv, mailboxes.exportCsv(c.principal, c.param("ws"), *format,
                                                         c.req.queryParam("columns").value_or(""),
                                                         c.req.queryParam("domain_id")));
             auto res = http::Response::text(200, "text/csv; charset=utf-8", std::move(csv));
             std::string name = "mailboxes-" + *format + ".csv";
             for (char& ch : name)
               if (!isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '-') ch = '_';
             res.headers.set("content-disposition", "attachment; filename=\"" + name + "\"");
             res.headers.set("cache-control", "no-store");
             return res;
           }});
  api.add({"GET", base + "/{mbx}",
           "A mailbox with ready-to-paste SMTP/IMAP settings and today's counters", "mailboxes",
           Auth::kAny, 0, [&mailboxes](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto out, mailboxes.get(c.principal, c.param("ws"), c.param("mbx")));
             return jsonResponse(200, out);
           }});
  api.add({"GET", base + "/{mbx}/stats",
           "Sent, bounced and received messages per day (?days=1..366, default 30)", "mailboxes",
           Auth::kAny, 0, [&mailboxes](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(int days, c.intQuery("days", 1, 366, 30));
             MJ_TRY_ASSIGN(auto out,
                           mailboxes.dailyStats(c.principal, c.param("ws"), c.param("mbx"), days));
             return jsonResponse(200, out);
           }});
  api.add({"GET", "/api/v1/workspaces/{ws}/mail-stats",
           "Sent, bounced and received messages per day over all mailboxes (?days=)", "mailboxes",
           Auth::kAny, 0, [&mailboxes](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(int days, c.intQuery("days", 1, 366, 30));
             MJ_TRY_ASSIGN(auto out, mailboxes.dailyStats(c.principal, c.param("ws"), "", days));
             return jsonResponse(200, out);
           }});
  api.add({"PATCH", base + "/{mbx}",
           "Change names, daily limit, signature, forwarding, or suspend/resume", "mailboxes",
           Auth::kAny, 64 * 1024, [&mailboxes](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto in,
                           JsonInput::from(c.body, {"first_name", "last_name", "daily_limit",
                                                    "signature", "forward_to", "status"}));
             MJ_TRY(in.optStr("first_name", kNameBytes));
             MJ_TRY(in.optStr("last_name", kNameBytes));
             MJ_TRY(in.optInt("daily_limit", 1, core::kMaxDailyLimit));
             MJ_TRY(in.nullableStr("signature", core::kMaxSignature));
             MJ_TRY(in.nullableStr("forward_to", 320));
             MJ_TRY(in.optStr("status", 16));
             Json patch = Json::object();
             for (const char* k :
                  {"first_name", "last_name", "daily_limit", "signature", "forward_to", "status"}) {
               bool nullable = std::string(k) == "signature" || std::string(k) == "forward_to";
               if (in.has(k) && (nullable || !in.raw()[k].is_null())) patch[k] = in.raw()[k];
             }
             MJ_TRY_ASSIGN(auto out,
                           mailboxes.update(c.principal, c.param("ws"), c.param("mbx"), patch));
             return jsonResponse(200, out);
           }});
  api.add({"DELETE", base + "/{mbx}", "Delete a mailbox with its folders and messages", "mailboxes",
           Auth::kAny, 0,
           [&mailboxes](Ctx& c) -> Result<http::Response> {
             MJ_TRY(mailboxes.remove(c.principal, c.param("ws"), c.param("mbx")));
             return http::Response::empty(204);
           },
           true, 204});
  api.add({"POST", base + "/{mbx}/password",
           "Reset the password: a new generated one, returned once", "mailboxes", Auth::kAny, 1024,
           [&mailboxes](Ctx& c) -> Result<http::Response> {
             MJ_TRY(JsonInput::from(c.body, {}));
             MJ_TRY_ASSIGN(auto out,
                           mailboxes.resetPassword(c.principal, c.param("ws"), c.param("mbx")));
             return jsonResponse(200, out);
           }});
  api.add({"GET", base + "/{mbx}/credentials",
           "The mailbox password and login settings (audited; not for viewers)", "mailboxes",
           Auth::kAny, 0, [&mailboxes](Ctx& c) -> Result<http::Response> {
             MJ_TRY_ASSIGN(auto out,
                           mailboxes.credentials(c.principal, c.param("ws"), c.param("mbx")));
             auto res = jsonResponse(200, out);
             res.headers.set("cache-control", "no-store");
             return res;
           }});
}

}  // namespace mailjuke::api
