// SPF records (RFC 7208 §4.5, §5, §6, §12 grammar): record selection and a strict parser. A
// syntax error anywhere makes the whole record a permerror (§4.6). Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace mailjuke::core::mailauth {

enum class SpfKind { kAll, kInclude, kA, kMx, kPtr, kIp4, kIp6, kExists };

struct SpfMechanism {
  char qualifier = '+';  // + - ~ ? (§4.6.2)
  SpfKind kind = SpfKind::kAll;
  std::string domain_spec;  // macro-string; "" when absent (a, mx, ptr use the current domain)
  std::string network;      // ip4/ip6: 4 or 16 network-order octets
  int cidr4 = 32;           // ip4, a, mx
  int cidr6 = 128;          // ip6, a, mx
  std::string text;         // the term as written, for reasons
};

struct SpfRecord {
  std::vector<SpfMechanism> mechanisms;
  std::optional<std::string> redirect;  // §6.1 (macro-string)
  std::optional<std::string> exp;       // §6.2 (parsed, not used)
};

// §4.5: "v=spf1" (case-insensitive) followed by a space or the end of the record.
bool isSpfRecord(std::string_view txt);

// Parses a whole record including "v=spf1". Unknown mechanisms, bad CIDR lengths or addresses,
// bad macros, duplicate redirect=/exp= and qualified modifiers are errors.
Result<SpfRecord> parseSpfRecord(std::string_view txt);

// Checks macro-string syntax (§7.1); `exp` allows the c, r, t letters of explanation strings.
Status validateMacroString(std::string_view text, bool exp);

}  // namespace mailjuke::core::mailauth
