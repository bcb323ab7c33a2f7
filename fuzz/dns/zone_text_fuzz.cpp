// Fuzzes the master-file parser, zone validation, export and snapshot building.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "proto/dns/zone_set.h"
#include "proto/dns/zone_text.h"

using namespace mailjuke::dns;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto zone = parseZoneText(text);
  if (!zone.ok()) return 0;
  if (!validateZone(*zone).ok()) return 0;
  // An exported valid zone parses back to a valid zone.
  auto again = parseZoneText(zoneToText(*zone));
  if (!again.ok() || !validateZone(*again).ok()) std::abort();
  std::vector<Zone> zones{*zone};
  (void)ZoneSet::build(std::move(zones));
  return 0;
}
