// Presentation format of rdata (RFC 1035 §5.1 and each type's RFC) to and from the uncompressed
// wire form kept in records. Known types: A, AAAA, NS, CNAME, PTR, SOA, MX, TXT, SRV, CAA; any
// type also accepts the generic `\# <length> <hex>` form (RFC 3597 §5).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "proto/dns/lexer.h"
#include "proto/dns/name.h"

namespace mailjuke::dns {

// Parses the rdata tokens of one master-file entry. Relative names are completed with `origin`.
// TXT strings longer than 255 octets are split into consecutive 255-octet strings.
Result<std::string> parseRdata(uint16_t type, std::span<const Token> tokens, const Name& origin);

// Parses rdata given as one text value, as the API stores it. For TXT, a value that does not
// start with '"' is taken literally as one string (split at 255 octets), so
// `v=spf1 include:x ~all` stays one string; quoted values follow master-file rules.
Result<std::string> parseRdataText(uint16_t type, std::string_view text, const Name& origin);

// Presentation form of wire rdata, with absolute names; unknown types use `\# len hex`.
std::string rdataToText(uint16_t type, std::string_view rdata);

// Parses a TTL: seconds, or BIND units such as 1h30m, 2d, 1w (case-insensitive).
std::optional<uint32_t> parseTtl(std::string_view text);

}  // namespace mailjuke::dns
