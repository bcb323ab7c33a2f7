// RFC 1035 §5 master files: parse into a Zone, and export a Zone that named-checkzone,
// nsd-checkzone and kzonecheck accept.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "proto/dns/zone.h"

namespace mailjuke::dns {

// Parses master-file text. Supports $ORIGIN, $TTL, relative names, '@', a blank owner (the
// previous one), TTL and class in either order, parentheses, quoted strings, comments, and the
// RFC 3597 generic forms. $INCLUDE and $GENERATE are refused. `origin` is the initial origin;
// without one, the file must set $ORIGIN or use absolute names, and the zone origin becomes the
// owner of the SOA record. The result is not yet validated (see validateZone()).
Result<Zone> parseZoneText(std::string_view text, std::optional<Name> origin = std::nullopt);

// Master-file text for `zone`: $ORIGIN and $TTL, the SOA first, absolute names throughout.
std::string zoneToText(const Zone& zone);

}  // namespace mailjuke::dns
