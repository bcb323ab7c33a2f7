// Whole DNS messages (RFC 1035 §4.1) as values: parse from wire with full validation, and
// serialise with name compression. The answer engine does not use this on its hot path; the
// zone transfer, NOTIFY, tests and fuzzing do.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "proto/dns/name.h"
#include "proto/dns/types.h"
#include "proto/dns/zone.h"

namespace mailjuke::dns {

struct Header {
  uint16_t id = 0;
  uint16_t flags = 0;  // QR, opcode, AA, TC, RD, RA, Z, AD, CD, RCODE (low 4 bits)

  bool qr() const { return flags & Flag::kQr; }
  uint8_t opcode() const { return static_cast<uint8_t>((flags >> 11) & 0xF); }
  uint8_t rcode() const { return static_cast<uint8_t>(flags & 0xF); }
  bool has(uint16_t flag) const { return flags & flag; }
};

struct Question {
  Name name;
  uint16_t type = 0;
  uint16_t klass = RrClass::kIn;
};

// RFC 6891 §6.1: the OPT pseudo-record, kept apart from the additional section.
struct Edns {
  uint16_t udp_size = kMinUdpPayload;
  uint8_t extended_rcode = 0;  // upper 8 bits of the 12-bit RCODE
  uint8_t version = 0;
  bool dnssec_ok = false;
  std::string options;  // raw option TLVs
};

struct Message {
  Header header;
  std::vector<Question> questions;
  std::vector<Record> answers;
  std::vector<Record> authority;
  std::vector<Record> additional;  // without OPT
  std::optional<Edns> edns;

  // Full 12-bit RCODE (header plus OPT extension).
  uint16_t rcode() const;
};

// Parses a whole message; rejects truncated data, bad names, bad rdata for the known types, more
// than one OPT or an OPT outside the additional section or not at the root (RFC 6891 §6.1.1),
// and trailing bytes.
Result<Message> parseMessage(std::string_view wire);

// Serialises with compression. Counts come from the vectors; the OPT goes last.
std::string serializeMessage(const Message& message);

}  // namespace mailjuke::dns
