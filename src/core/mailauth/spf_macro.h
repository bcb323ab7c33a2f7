// SPF macro expansion (RFC 7208 §7). Pure.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace mailjuke::core::mailauth {

struct SpfMacroContext {
  std::string sender;         // %{s}: "local@domain"
  std::string local_part;     // %{l}
  std::string sender_domain;  // %{o}
  std::string domain;         // %{d}: the domain being checked (changes in include/redirect)
  std::string ip;             // %{i}: dotted quad, or 32 dot-separated nibbles for IPv6 (§7.3)
  bool ipv6 = false;          // %{v}: "in-addr" or "ip6"
  std::string helo;           // %{h}
};

// Expands a macro-string already checked by validateMacroString(). Upper-case letters URL-escape
// their value (§7.3). %{p} expands to "unknown": this resolver has no PTR lookups. A DIGIT
// transformer of 0 is an error (→ permerror).
Result<std::string> expandMacros(std::string_view text, const SpfMacroContext& ctx);

// For a domain-spec: expands and then, over 253 octets, drops left labels to fit (§7.3); a
// trailing dot is removed.
Result<std::string> expandDomainSpec(std::string_view text, const SpfMacroContext& ctx);

}  // namespace mailjuke::core::mailauth
