// RFC 5322 message header section: fields split exactly as received (for DKIM, which signs the
// raw bytes) with helpers to unfold values and pull addr-specs out of From/To/Cc. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace mailjuke::mime {

// RFC 5322 §2.1.1 (998 octets) with room for long folded fields; longer fields are refused.
constexpr size_t kMaxHeaderField = 64 * 1024;
constexpr size_t kMaxHeaderFields = 1000;

struct HeaderField {
  std::string_view name;   // as received, without the colon
  std::string_view raw;    // the whole field including name, folding and the final CRLF
  std::string_view value;  // after the colon, folded, without the final CRLF
};

struct ParsedHeaders {
  std::vector<HeaderField> fields;  // in order
  size_t body_offset = 0;           // index of the first body octet (after the empty line)
  bool has_body_separator = false;  // false when the message ended inside the header
  bool eight_bit = false;           // a header octet ≥ 0x80 (needs SMTPUTF8 / RFC 6532)

  // The first field named `name` (case-insensitive), or nullptr.
  const HeaderField* find(std::string_view name) const;
  size_t count(std::string_view name) const;
};

// Views point into `message`, which must outlive the result. Lines end in CRLF.
Result<ParsedHeaders> parseHeaders(std::string_view message);
// Removes folding (RFC 5322 §2.2.3): CRLF followed by WSP becomes the WSP.
std::string unfold(std::string_view value);
// addr-specs of an address list ("A <a@x>, b@y, Group: c@z;"), lower-casing nothing.
std::vector<std::string> addresses(std::string_view value);

}  // namespace mailjuke::mime
