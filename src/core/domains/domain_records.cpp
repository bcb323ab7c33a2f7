// Managed + custom DNS records of a domain, their validation, and the zone data for DNS.
#include "base/ids.h"
#include "core/audit/audit_log.h"
#include "core/domains/domain_service.h"
#include "core/workspaces/workspace_service.h"

namespace mailjuke::core {
namespace {
const char* const kCustomTypes[] = {"A", "AAAA", "CNAME", "MX", "TXT", "SRV", "CAA", "NS"};

Json recordJson(const ZoneRecord& r) {
  return {{"id", r.id},          {"managed", r.managed}, {"name", r.text.owner},
          {"type", r.text.type}, {"ttl", r.text.ttl},    {"value", r.text.rdata}};
}

// Maps an error from zone building ("records[i]: …") to the field the customer can fix.
Error asRecordError(const Error& e) {
  std::string msg = e.fields.empty() ? e.message : e.fields.front().message;
  std::string field = "value";
  if (msg.find("CNAME") != std::string::npos || msg.find("owner") != std::string::npos ||
      msg.find("outside") != std::string::npos)
    field = "name";
  return Error::invalid(field, msg);
}
}  // namespace

Result<std::vector<ZoneRecord>> DomainService::zoneRecords(store::Tx& tx, const std::string& dom) {
  MJ_TRY_ASSIGN(
      auto d,
      tx.queryOne("SELECT name, zone_serial, dmarc_policy, forward_url FROM domains WHERE id = ?",
                  {dom}));
  if (!d) return Error::notFound("domain");
  DomainZoneData data{d->text(0), d->integer(1), d->text(2), !d->isNull(3), {}};
  MJ_TRY_ASSIGN(
      auto keys,
      tx.query("SELECT selector, public_key FROM dkim_keys WHERE domain_id = ? ORDER BY created_at",
               {dom}));
  for (const auto& k : keys) data.dkim.emplace_back(k.text(0), k.text(1));
  auto out = managedRecords(ctx_.settings.dns, data);
  MJ_TRY_ASSIGN(
      auto custom,
      tx.query("SELECT id, name, type, ttl, value FROM dns_records WHERE domain_id = ? ORDER BY id",
               {dom}));
  for (const auto& c : custom)
    out.push_back({c.text(0), false, {c.text(1), c.text(2), uint32_t(c.integer(3)), c.text(4)}});
  return out;
}

Result<Json> DomainService::records(const Principal& p, const std::string& ws,
                                    const std::string& dom) {
  return ctx_.db.read<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(requireDomain(tx, p, ws, dom, Action::kDomainsRead));
    MJ_TRY_ASSIGN(auto recs, zoneRecords(tx, dom));
    Json data = Json::array();
    for (const auto& r : recs) data.push_back(recordJson(r));
    return Json{{"data", data}, {"next_cursor", nullptr}};
  });
}

Result<dns::RecordText> DomainService::checkRecord(store::Tx& tx, const std::string& dom,
                                                   const std::string& exclude_id,
                                                   const RecordInput& in) {
  if (!in.name) return Error::invalid("name", "is required (\"@\" for the apex)");
  if (!in.type) return Error::invalid("type", "is required");
  if (!in.value) return Error::invalid("value", "is required");
  std::string type = *in.type;
  for (auto& c : type) c = char(std::toupper(c));
  bool known = false;
  for (const char* t : kCustomTypes) known |= type == t;
  if (!known) return Error::invalid("type", "must be one of A, AAAA, CNAME, MX, TXT, SRV, CAA, NS");
  int64_t ttl = in.ttl.value_or(3600);
  if (ttl < 60 || ttl > 86400) return Error::invalid("ttl", "must be between 60 and 86400 seconds");
  MJ_TRY_ASSIGN(auto d, tx.queryOne("SELECT name FROM domains WHERE id = ?", {dom}));
  std::string owner = *in.name;
  if (owner.empty()) return Error::invalid("name", "is required (\"@\" for the apex)");
  std::string lower = owner;
  for (auto& c : lower) c = char(std::tolower(c));
  if (!lower.empty() && lower.back() == '.') {
    std::string apex = d->text(0) + ".";
    if (lower != apex &&
        (lower.size() <= apex.size() ||
         lower.compare(lower.size() - apex.size() - 1, std::string::npos, "." + apex) != 0))
      return Error::invalid("name", "must be inside the zone " + d->text(0));
  }
  bool apex = lower == "@" || lower == d->text(0) + ".";
  if (type == "CNAME" && apex)
    return Error::invalid("name", "a CNAME cannot be at the apex (RFC 1034 §3.6.2)");
  if (type == "NS" && apex)
    return Error::invalid("name", "NS records at the apex are managed; NS is for sub-delegation");
  dns::RecordText text{owner, type, uint32_t(ttl), *in.value};
  // Validate against the whole zone: syntax, names inside the zone, CNAME exclusivity.
  MJ_TRY_ASSIGN(auto recs, zoneRecords(tx, dom));
  std::vector<dns::RecordText> texts;
  for (const auto& r : recs)
    if (r.id != exclude_id) texts.push_back(r.text);
  texts.push_back(text);
  auto zone = dns::buildZone(d->text(0), texts);
  if (!zone.ok()) return asRecordError(zone.error());
  auto st = dns::validateZone(*zone);
  if (!st.ok()) return asRecordError(st.error());
  return text;
}

Result<Json> DomainService::addRecord(const Principal& p, const std::string& ws,
                                      const std::string& dom, const RecordInput& in) {
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(requireDomain(tx, p, ws, dom, Action::kDomainsWrite));
    MJ_TRY_ASSIGN(auto text, checkRecord(tx, dom, "", in));
    std::string id = newId("rec");
    MJ_TRY(tx.exec(
        "INSERT INTO dns_records (id, domain_id, name, type, ttl, value, created_at, updated_at) "
        "VALUES (?,?,?,?,?,?,?,?)",
        {id, dom, text.owner, text.type, int64_t(text.ttl), text.rdata, now, now}));
    MJ_TRY(bumpZone(tx, dom, now));
    MJ_TRY(recordAudit(
        tx, p,
        {ws, "dns_record.create", "dns_record", id, {{"type", text.type}, {"name", text.owner}}},
        now));
    return recordJson({id, false, text});
  });
}

Result<Json> DomainService::updateRecord(const Principal& p, const std::string& ws,
                                         const std::string& dom, const std::string& rec,
                                         const RecordInput& patch) {
  int64_t now = ctx_.clock.nowSeconds();
  if (rec.rfind("managed:", 0) == 0)
    return Error::make(ErrorCode::kConflict, "managed records are read-only");
  return ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kDomainsWrite));
    MJ_TRY_ASSIGN(
        auto row,
        tx.queryOne("SELECT r.name, r.type, r.ttl, r.value FROM dns_records r JOIN domains d ON "
                    "d.id = r.domain_id WHERE r.id = ? AND d.id = ? AND d.workspace_id = ?",
                    {rec, dom, ws}));
    if (!row) return Error::notFound("DNS record");
    RecordInput merged{
        patch.name ? patch.name : row->optText(0), patch.type ? patch.type : row->optText(1),
        patch.value ? patch.value : row->optText(3), patch.ttl ? patch.ttl : row->optInteger(2)};
    MJ_TRY_ASSIGN(auto text, checkRecord(tx, dom, rec, merged));
    MJ_TRY(
        tx.exec("UPDATE dns_records SET name = ?, type = ?, ttl = ?, value = ?, updated_at = ? "
                "WHERE id = ?",
                {text.owner, text.type, int64_t(text.ttl), text.rdata, now, rec}));
    MJ_TRY(bumpZone(tx, dom, now));
    MJ_TRY(recordAudit(tx, p, {ws, "dns_record.update", "dns_record", rec}, now));
    return recordJson({rec, false, text});
  });
}

Status DomainService::deleteRecord(const Principal& p, const std::string& ws,
                                   const std::string& dom, const std::string& rec) {
  int64_t now = ctx_.clock.nowSeconds();
  if (rec.rfind("managed:", 0) == 0)
    return Error::make(ErrorCode::kConflict, "managed records are read-only");
  return ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kDomainsWrite));
    MJ_TRY_ASSIGN(
        auto n,
        tx.exec(
            "DELETE FROM dns_records WHERE id = ? AND domain_id IN (SELECT id FROM domains WHERE "
            "id = ? AND workspace_id = ?)",
            {rec, dom, ws}));
    if (n == 0) return Error::notFound("DNS record");
    MJ_TRY(bumpZone(tx, dom, now));
    return recordAudit(tx, p, {ws, "dns_record.delete", "dns_record", rec}, now);
  });
}

Result<int64_t> DomainService::zonesVersion() {
  return ctx_.db.read<int64_t>([&](store::Tx& tx) -> Result<int64_t> {
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT version FROM zone_state WHERE id = 1"));
    return row ? row->integer(0) : 0;
  });
}

Result<std::pair<int64_t, std::unordered_map<std::string, std::string>>>
DomainService::forwardTargets() {
  using Out = std::pair<int64_t, std::unordered_map<std::string, std::string>>;
  return ctx_.db.read<Out>([&](store::Tx& tx) -> Result<Out> {
    Out out;
    MJ_TRY_ASSIGN(auto v, tx.queryOne("SELECT version FROM zone_state WHERE id = 1"));
    out.first = v ? v->integer(0) : 0;
    MJ_TRY_ASSIGN(auto rows,
                  tx.query("SELECT name, forward_url FROM domains WHERE forward_url IS NOT NULL"));
    for (const auto& r : rows) out.second[r.text(0)] = r.text(1);
    return out;
  });
}

Result<DomainService::Zones> DomainService::allZones() {
  return ctx_.db.read<Zones>([&](store::Tx& tx) -> Result<Zones> {
    Zones z;
    MJ_TRY_ASSIGN(auto v, tx.queryOne("SELECT version FROM zone_state WHERE id = 1"));
    z.version = v ? v->integer(0) : 0;
    MJ_TRY_ASSIGN(auto domains, tx.query("SELECT id, name FROM domains ORDER BY id"));
    for (const auto& d : domains) {
      MJ_TRY_ASSIGN(auto recs, zoneRecords(tx, d.text(0)));
      dns::ZoneInput in{d.text(1), {}};
      for (auto& r : recs) in.records.push_back(std::move(r.text));
      z.zones.push_back(std::move(in));
    }
    return z;
  });
}

}  // namespace mailjuke::core
