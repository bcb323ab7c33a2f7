// Zone model: an origin and its records, with rdata in uncompressed wire form. Zones are plain
// values; validateZone() checks the rules a served zone must meet before it enters a ZoneSet.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "proto/dns/name.h"
#include "proto/dns/types.h"

namespace mailjuke::dns {

struct Record {
  Name owner;
  uint16_t type = 0;
  uint16_t klass = RrClass::kIn;
  uint32_t ttl = 0;
  std::string rdata;  // uncompressed wire form

  friend bool operator==(const Record& a, const Record& b) {
    return a.owner == b.owner && a.type == b.type && a.klass == b.klass && a.rdata == b.rdata;
  }
};

struct Zone {
  Name origin;
  std::vector<Record> records;

  // The apex SOA record, if present.
  const Record* soa() const;
  // SOA serial (RFC 1035 §3.3.13), or nullopt without an SOA.
  std::optional<uint32_t> serial() const;
};

// A record as the API stores it: owner relative to the origin (or "@", or absolute with a
// trailing dot), type mnemonic ("MX", "TYPE65280"), TTL in seconds and rdata in presentation
// format (TXT values may be unquoted: see parseRdataText()).
struct RecordText {
  std::string owner;
  std::string type;
  uint32_t ttl = 3600;
  std::string rdata;
};

// Builds one zone from API records. Errors name the offending record (field "records[i]").
Result<Zone> buildZone(std::string_view origin, const std::vector<RecordText>& records);

// Checks a zone before serving it and normalises it in place:
// - exactly one SOA, at the apex; every owner at or below the origin; class IN only;
// - CNAME alone at its name and never at the apex (RFC 1034 §3.6.2, RFC 2181 §10.1);
// - duplicate records dropped and each RRset given one TTL, the lowest (RFC 2181 §5, §5.2).
Status validateZone(Zone& zone);

// Serial of the SOA rdata `rdata` (last five 32-bit fields: serial refresh retry expire minimum).
uint32_t soaField(std::string_view soa_rdata, int index);

}  // namespace mailjuke::dns
