#include "proto/dns/zone_text.h"

#include <algorithm>

#include "proto/dns/lexer.h"
#include "proto/dns/rdata.h"

namespace mailjuke::dns {
namespace {

Error lineError(size_t line, const std::string& message) {
  return Error::make(ErrorCode::kInvalid, "line " + std::to_string(line) + ": " + message);
}

bool equalsUpper(std::string_view text, std::string_view upper) {
  if (text.size() != upper.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    if (c != upper[i]) return false;
  }
  return true;
}

std::optional<uint16_t> parseClass(const Token& t) {
  if (t.quoted) return std::nullopt;
  if (equalsUpper(t.text, "IN")) return RrClass::kIn;
  if (equalsUpper(t.text, "CH")) return RrClass::kCh;
  if (equalsUpper(t.text, "HS")) return 4;
  if (t.text.size() > 5 && equalsUpper(t.text.substr(0, 5), "CLASS")) {
    auto v = parseTtl(t.text.substr(5));
    if (v && *v <= 0xFFFF && t.text[5] >= '0' && t.text[5] <= '9') return static_cast<uint16_t>(*v);
  }
  return std::nullopt;
}

}  // namespace

Result<Zone> parseZoneText(std::string_view text, std::optional<Name> initial_origin) {
  MJ_TRY_ASSIGN(auto entries, lexMasterFile(text));
  Name origin = initial_origin.value_or(Name());
  std::optional<uint32_t> default_ttl;
  std::optional<uint32_t> last_ttl;
  std::optional<Name> owner;
  Zone zone;
  zone.origin = origin;
  bool have_zone_origin = initial_origin.has_value();
  for (const auto& e : entries) {
    const auto& t = e.tokens;
    const std::string& first = t[0].text;
    if (!e.leading_blank && !t[0].quoted && !first.empty() && first[0] == '$') {
      if (equalsUpper(first, "$ORIGIN")) {
        if (t.size() != 2) return lineError(e.line, "$ORIGIN takes one name");
        auto n = Name::parse(t[1].text, origin);
        if (!n) return lineError(e.line, n.error().message);
        origin = *n;
        if (!have_zone_origin) zone.origin = origin;
      } else if (equalsUpper(first, "$TTL")) {
        auto ttl = t.size() == 2 ? parseTtl(t[1].text) : std::nullopt;
        if (!ttl) return lineError(e.line, "$TTL takes one TTL");
        default_ttl = ttl;
      } else {
        return lineError(e.line, "unsupported directive " + first);
      }
      continue;
    }
    size_t i = 0;
    if (!e.leading_blank) {
      auto n = Name::parse(t[0].text, origin);
      if (!n) return lineError(e.line, n.error().message);
      owner = *n;
      i = 1;
    } else if (!owner) {
      return lineError(e.line, "record without owner");
    }
    // RFC 1035 §5.1: [<TTL>] [<class>] <type> or [<class>] [<TTL>] <type>.
    std::optional<uint32_t> ttl;
    uint16_t klass = RrClass::kIn;
    bool have_class = false;
    for (int k = 0; k < 2 && i < t.size(); ++k) {
      if (!ttl && !t[i].quoted && !t[i].text.empty() && t[i].text[0] >= '0' &&
          t[i].text[0] <= '9') {
        ttl = parseTtl(t[i].text);
        if (!ttl) return lineError(e.line, "bad TTL '" + t[i].text + "'");
        ++i;
      } else if (auto c = !have_class ? parseClass(t[i]) : std::nullopt) {
        klass = *c;
        have_class = true;
        ++i;
      }
    }
    if (i >= t.size()) return lineError(e.line, "missing type");
    auto type = typeFromString(t[i].text);
    if (!type || t[i].quoted) return lineError(e.line, "unknown type '" + t[i].text + "'");
    ++i;
    auto rdata = parseRdata(*type, std::span<const Token>(t).subspan(i), origin);
    if (!rdata) return lineError(e.line, rdata.error().message);
    if (!ttl) ttl = default_ttl ? default_ttl : last_ttl;
    if (!ttl) ttl = 3600;
    last_ttl = ttl;
    if (*type == RrType::kSoa && !have_zone_origin) {
      zone.origin = *owner;
      have_zone_origin = true;
    }
    zone.records.push_back(Record{*owner, *type, klass, *ttl, std::move(*rdata)});
  }
  return zone;
}

std::string zoneToText(const Zone& zone) {
  std::string out = "$ORIGIN " + zone.origin.toString() + "\n";
  const Record* soa = zone.soa();
  out += "$TTL " + std::to_string(soa ? soa->ttl : 3600) + "\n";
  std::vector<const Record*> order;
  for (const auto& r : zone.records) order.push_back(&r);
  // SOA first, then by owner and type for a stable, readable file.
  std::stable_sort(order.begin(), order.end(), [](const Record* a, const Record* b) {
    bool sa = a->type == RrType::kSoa, sb = b->type == RrType::kSoa;
    if (sa != sb) return sa;
    const std::string wa = a->owner.lower().wire();
    const std::string wb = b->owner.lower().wire();
    if (wa.size() != wb.size()) return wa.size() < wb.size();
    if (wa != wb) return wa < wb;
    return a->type < b->type;
  });
  for (const Record* r : order) {
    out += r->owner.toString();
    out += ' ';
    out += std::to_string(r->ttl);
    out += r->klass == RrClass::kIn ? " IN " : " CLASS" + std::to_string(r->klass) + " ";
    out += typeToString(r->type);
    out += ' ';
    out += rdataToText(r->type, r->rdata);
    out += '\n';
  }
  return out;
}

}  // namespace mailjuke::dns
