// The tag=value list syntax shared by DKIM-Signature fields and DKIM key records
// (RFC 6376 §3.2), parsed strictly. DMARC records use the same shape (RFC 7489 §6.4). Pure.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace mailjuke::core::mailauth {

struct TagList {
  // In order; names are case-sensitive (§3.2); values without surrounding FWS, inner FWS kept.
  std::vector<std::pair<std::string, std::string>> tags;

  // The value of tag `name`, or nullptr when absent.
  const std::string* get(std::string_view name) const;
};

// Refuses: a tag without "=", a name not matching ALPHA *(ALPHA / DIGIT / "_"), a value octet
// outside VALCHAR / FWS, a bare CR or LF, an empty tag-spec (";;") and duplicate names.
Result<TagList> parseTagList(std::string_view text);

// `value` with all whitespace (WSP, CR, LF) removed, e.g. for base64 tags (§3.5 b=, bh=, p=).
std::string stripWhitespace(std::string_view value);

// `value` split at `sep`, each piece stripped of surrounding whitespace (h=, c=, q=, k= lists).
std::vector<std::string> splitList(std::string_view value, char sep);

// ASCII case-insensitive comparison.
bool equalsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace mailjuke::core::mailauth
