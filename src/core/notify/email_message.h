// The RFC 5322 message of an outbox row: Date, Message-ID, From, To, Subject (RFC 2047 when not
// ASCII), MIME-Version, the row's extra header fields (List-Unsubscribe, ...) and a
// multipart/alternative body (RFC 2046 §5.1.4) of text/plain and text/html, both UTF-8 in
// quoted-printable (RFC 2045 §6.7). Pure: bytes out, CRLF line ends, every line ≤ 78 octets
// except header values that cannot be folded (still ≤ 998, RFC 5322 §2.1.1).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mailjuke::core {

struct EmailParts {
  std::string from_name;                                     // display name (UTF-8), may be empty
  std::string from_address;                                  // addr-spec
  std::string to;                                            // addr-spec
  std::string subject;                                       // UTF-8, one line
  std::string text;                                          // UTF-8, "\n" or "\r\n" line ends
  std::string html;                                          // UTF-8
  std::vector<std::pair<std::string, std::string>> headers;  // extra fields, in order
  int64_t date = 0;                                          // unix seconds
  std::string message_id;      // without angle brackets: "local@domain"
  bool auto_submitted = true;  // RFC 3834 §5 "Auto-Submitted: auto-generated"
};

// RFC 2047 §4.1 "B" encoded-words (UTF-8), each ≤ 75 octets and split on character boundaries,
// joined by CRLF SP. ASCII text without control characters is returned folded at spaces instead.
// `used` is how many octets of the first line are taken already ("Subject: " = 9).
std::string encodeHeaderText(std::string_view text, size_t used);
// RFC 2045 §6.7 quoted-printable of UTF-8 text: "\n" (or "\r\n") become CRLF hard line breaks,
// encoded lines are at most 76 octets (soft breaks "=" CRLF), trailing white space is encoded.
std::string quotedPrintable(std::string_view text);
// The whole message (header + empty line + body). Extra header fields whose name is not a valid
// field name, that would repeat a field this builder writes, or whose value contains CR or LF
// are left out.
std::string buildEmailMessage(const EmailParts& parts);

}  // namespace mailjuke::core
