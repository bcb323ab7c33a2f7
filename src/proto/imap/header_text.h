// Header text helpers for SEARCH (RFC 3501 §6.4.4): RFC 2047 encoded-word decoding, so
// FROM/TO/SUBJECT/HEADER keys match what the user sees, and the Date: field as a day number,
// for SENTBEFORE/SENTON/SENTSINCE. Pure (GMime's parsers, no I/O).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mailjuke::imap {

// `value` with RFC 2047 encoded words decoded to UTF-8 (unchanged when it has none).
std::string decodeHeaderText(std::string_view value);

// RFC 3501 §6.4.4: the date of a Date: field value "disregarding time and timezone", i.e. the
// calendar day as written in the field, in days since 1970-01-01 times 86400 (the unit of
// parseDate in command.h). nullopt when the value is not a date.
std::optional<int64_t> sentDay(std::string_view date_value);

}  // namespace mailjuke::imap
