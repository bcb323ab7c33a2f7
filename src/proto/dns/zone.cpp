#include "proto/dns/zone.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "proto/dns/rdata.h"

namespace mailjuke::dns {

const Record* Zone::soa() const {
  for (const auto& r : records)
    if (r.type == RrType::kSoa && r.owner == origin) return &r;
  return nullptr;
}

std::optional<uint32_t> Zone::serial() const {
  const Record* s = soa();
  if (!s) return std::nullopt;
  return soaField(s->rdata, 0);
}

uint32_t soaField(std::string_view rd, int index) {
  if (rd.size() < 20) return 0;
  size_t p = rd.size() - 20 + 4 * static_cast<size_t>(index);
  return (static_cast<uint32_t>(static_cast<uint8_t>(rd[p])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(rd[p + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(rd[p + 2])) << 8) |
         static_cast<uint32_t>(static_cast<uint8_t>(rd[p + 3]));
}

Result<Zone> buildZone(std::string_view origin_text, const std::vector<RecordText>& records) {
  Zone zone;
  auto origin = Name::parse(origin_text);
  if (!origin) return Error::invalid("origin", origin.error().message);
  zone.origin = *origin;
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& in = records[i];
    std::string field = "records[" + std::to_string(i) + "]";
    auto owner = Name::parse(in.owner.empty() ? "@" : in.owner, zone.origin);
    if (!owner) return Error::invalid(field + ".owner", owner.error().message);
    auto type = typeFromString(in.type);
    if (!type || *type == RrType::kOpt || (*type >= 128 && *type <= 255))
      return Error::invalid(field + ".type", "unsupported type '" + in.type + "'");
    auto rdata = parseRdataText(*type, in.rdata, zone.origin);
    if (!rdata) return Error::invalid(field + ".rdata", rdata.error().message);
    zone.records.push_back(Record{*owner, *type, RrClass::kIn, in.ttl, std::move(*rdata)});
  }
  MJ_TRY(validateZone(zone));
  return zone;
}

Status validateZone(Zone& zone) {
  auto fail = [&](const Record& r, const std::string& why) {
    return Error::make(ErrorCode::kInvalid, "zone " + zone.origin.toString() + ": " +
                                                r.owner.toString() + " " + typeToString(r.type) +
                                                ": " + why);
  };
  int soa_count = 0;
  // Group by (lowercase owner, type) to check CNAME exclusivity and normalise TTLs.
  std::map<std::pair<std::string, uint16_t>, std::vector<size_t>> rrsets;
  std::map<std::string, std::pair<bool, bool>> names;  // owner -> (has CNAME, has other)
  std::vector<Record> kept;
  kept.reserve(zone.records.size());
  for (auto& r : zone.records) {
    if (r.klass != RrClass::kIn) return fail(r, "only class IN is served");
    if (!r.owner.isSubdomainOf(zone.origin)) return fail(r, "owner outside the zone");
    if (r.type == RrType::kOpt || r.type == RrType::kAny || r.type == RrType::kAxfr ||
        r.type == RrType::kIxfr || r.type == RrType::kTsig)
      return fail(r, "meta type cannot be stored");
    auto key = std::make_pair(r.owner.lower().wire(), r.type);
    auto& set = rrsets[key];
    bool duplicate = std::any_of(set.begin(), set.end(), [&](size_t i) { return kept[i] == r; });
    if (duplicate) continue;  // RFC 2181 §5: an RRset has no duplicate records
    if (r.type == RrType::kSoa) {
      if (!(r.owner == zone.origin)) return fail(r, "SOA must be at the apex");
      if (++soa_count > 1) return fail(r, "more than one SOA");
    }
    if (r.type == RrType::kCname && !set.empty()) return fail(r, "more than one CNAME");
    set.push_back(kept.size());
    auto& flags = names[key.first];
    (r.type == RrType::kCname ? flags.first : flags.second) = true;
    if (flags.first && flags.second) return fail(r, "CNAME and other data at one name");
    if (r.type == RrType::kCname && r.owner == zone.origin) return fail(r, "CNAME at the apex");
    kept.push_back(std::move(r));
  }
  if (soa_count != 1)
    return Error::make(ErrorCode::kInvalid,
                       "zone " + zone.origin.toString() + ": no SOA record at the apex");
  // RFC 2181 §5.2: all records of an RRset share one TTL; use the smallest.
  for (auto& [key, indexes] : rrsets) {
    uint32_t ttl = UINT32_MAX;
    for (size_t i : indexes) ttl = std::min(ttl, kept[i].ttl);
    for (size_t i : indexes) kept[i].ttl = ttl;
  }
  zone.records = std::move(kept);
  // SOA first, the rest in a stable order.
  std::stable_sort(zone.records.begin(), zone.records.end(), [](const Record& a, const Record& b) {
    return (a.type == RrType::kSoa) > (b.type == RrType::kSoa);
  });
  return {};
}

}  // namespace mailjuke::dns
