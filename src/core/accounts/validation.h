// Input rules shared by the account flows.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace mailjuke::core {

// Lower-cased, trimmed e-mail address after a syntax check (RFC 5321 lengths).
Result<std::string> normalizeEmail(std::string_view field, std::string_view email);
// ASVS: 12..128 characters (code points), no composition rules, no truncation.
Status checkPassword(std::string_view field, std::string_view password);
// Non-empty, at most `max` characters, no control characters.
Status checkText(std::string_view field, std::string_view text, size_t max, bool required = true);
size_t codePoints(std::string_view utf8);

}  // namespace mailjuke::core
