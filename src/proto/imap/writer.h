// Writing IMAP response values (RFC 9051 §4, §9) and mailbox names in modified UTF-7 for
// IMAP4rev1 clients (RFC 3501 §5.1.3; rev2 and UTF8=ACCEPT clients use UTF-8). Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailjuke::imap {

// A string as the shortest safe form: a quoted string when it has no CR, LF, NUL or 8-bit
// octets (unless `utf8` allows UTF-8 in quoted strings) and is short; a literal otherwise.
void appendString(std::string& out, std::string_view s, bool utf8 = false);
// NIL for nullopt, else appendString.
void appendNString(std::string& out, const std::optional<std::string>& s, bool utf8 = false);
// An astring: the bare atom when every octet is an ATOM-CHAR, else appendString.
void appendAString(std::string& out, std::string_view s, bool utf8 = false);
// "(\Seen \Answered)".
void appendFlagList(std::string& out, const std::vector<std::string>& flags);

// Modified UTF-7 (RFC 3501 §5.1.3) ↔ UTF-8. decode returns nullopt on malformed input.
std::string encodeMailboxName(std::string_view utf8);
std::optional<std::string> decodeMailboxName(std::string_view mutf7);

}  // namespace mailjuke::imap
