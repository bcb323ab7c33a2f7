// Customer domain names: IDNA2008 through libidn2 (stored as the A-label, shown as the U-label)
// and the public suffix list through libpsl (only registrable domains, never a public suffix).
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace mailjuke::core {

struct DomainName {
  std::string ascii;    // lower-case A-label form, e.g. "xn--bcher-kva.example"
  std::string unicode;  // U-label form for display, e.g. "bücher.example"
};

// 422 naming `field` with the reason when `input` is not a registrable domain name.
Result<DomainName> parseDomainName(std::string_view field, std::string_view input);

}  // namespace mailjuke::core
