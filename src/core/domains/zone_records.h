// The records of a hosted zone: the managed ones generated from the domain's settings (SOA, NS,
// MX, SPF, DKIM, DMARC, tracking CNAME, forwarding A/AAAA) plus the customer's custom records.
#pragma once

#include <string>
#include <vector>

#include "core/context.h"
#include "proto/dns/zone.h"

namespace mailjuke::core {

struct DomainZoneData {
  std::string name;  // A-label
  int64_t serial = 1;
  std::string dmarc_policy = "none";
  bool forwarding = false;
  std::vector<std::pair<std::string, std::string>> dkim;  // (selector, public key base64) published
};

struct ZoneRecord {
  std::string id;  // "managed:<kind>" for generated records, rec_… for custom ones
  bool managed = true;
  dns::RecordText text;
};

std::vector<ZoneRecord> managedRecords(const DnsSettings& s, const DomainZoneData& d);

}  // namespace mailjuke::core
