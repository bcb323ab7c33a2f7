// The MIME structure of a message (RFC 2045/2046), parsed once with GMime at delivery so IMAP
// can answer ENVELOPE, BODYSTRUCTURE and BODY[section] from cached metadata and byte offsets
// without re-parsing large bodies. Pure: bytes in, a tree out.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace mailjuke::mime {

struct MimeAddress {
  std::string name;     // display name; RFC 2047-encoded when it is not ASCII
  std::string mailbox;  // local part; for a group start, the group name
  std::string host;     // empty for a group start or end
  enum class Kind { kMailbox, kGroupStart, kGroupEnd } kind = Kind::kMailbox;
};

// RFC 9051 §7.5.2 ENVELOPE: raw (unfolded, still encoded) header values.
struct Envelope {
  std::optional<std::string> date, subject, in_reply_to, message_id;
  std::vector<MimeAddress> from, sender, reply_to, to, cc, bcc;
};

using Params = std::vector<std::pair<std::string, std::string>>;

struct MimePart {
  std::string type = "text";  // lower-case
  std::string subtype = "plain";
  Params params;
  std::optional<std::string> id, description, md5, location;
  std::vector<std::string> languages;
  std::string encoding = "7bit";
  std::optional<std::string> disposition;
  Params disposition_params;
  // Byte offsets into the message: [header_begin, body_begin) is the part's MIME header,
  // [body_begin, body_end) its body in transfer encoding.
  size_t header_begin = 0, body_begin = 0, body_end = 0;
  size_t lines = 0;                    // lines of the encoded body (text and message parts)
  std::vector<MimePart> children;      // multipart/*; message/rfc822: its one root body
  std::unique_ptr<Envelope> envelope;  // message/rfc822 only

  MimePart() = default;
  MimePart(MimePart&&) = default;
  MimePart& operator=(MimePart&&) = default;
  bool multipart() const { return type == "multipart"; }
  bool rfc822() const { return type == "message" && (subtype == "rfc822" || subtype == "global"); }
};

struct MessageStructure {
  Envelope envelope;
  MimePart root;
};

// Never fails on odd MIME: GMime recovers like mail clients do; only an empty input is refused.
Result<MessageStructure> parseStructure(std::string_view message);

}  // namespace mailjuke::mime
