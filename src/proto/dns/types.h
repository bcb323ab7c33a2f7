// DNS constants (RFC 1035 §3.2, RFC 6895) and their presentation names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mailjuke::dns {

// Resource record types handled by name; any other type is carried as opaque rdata (RFC 3597).
struct RrType {
  static constexpr uint16_t kA = 1;
  static constexpr uint16_t kNs = 2;
  static constexpr uint16_t kCname = 5;
  static constexpr uint16_t kSoa = 6;
  static constexpr uint16_t kPtr = 12;
  static constexpr uint16_t kHinfo = 13;
  static constexpr uint16_t kMx = 15;
  static constexpr uint16_t kTxt = 16;
  static constexpr uint16_t kAaaa = 28;
  static constexpr uint16_t kSrv = 33;
  static constexpr uint16_t kOpt = 41;
  static constexpr uint16_t kDs = 43;
  static constexpr uint16_t kRrsig = 46;
  static constexpr uint16_t kTsig = 250;
  static constexpr uint16_t kIxfr = 251;
  static constexpr uint16_t kAxfr = 252;
  static constexpr uint16_t kMailb = 253;
  static constexpr uint16_t kMaila = 254;
  static constexpr uint16_t kAny = 255;
  static constexpr uint16_t kCaa = 257;
};

struct RrClass {
  static constexpr uint16_t kIn = 1;
  static constexpr uint16_t kCh = 3;
  static constexpr uint16_t kNone = 254;
  static constexpr uint16_t kAny = 255;
};

struct Opcode {
  static constexpr uint8_t kQuery = 0;
  static constexpr uint8_t kNotify = 4;  // RFC 1996
};

struct Rcode {
  static constexpr uint16_t kNoError = 0;
  static constexpr uint16_t kFormErr = 1;
  static constexpr uint16_t kServFail = 2;
  static constexpr uint16_t kNxDomain = 3;
  static constexpr uint16_t kNotImp = 4;
  static constexpr uint16_t kRefused = 5;
  static constexpr uint16_t kNotAuth = 9;
  static constexpr uint16_t kBadVers = 16;  // RFC 6891 §6.1.3: extended, needs OPT
};

// Header flag bits in the 16-bit flags word (RFC 1035 §4.1.1).
struct Flag {
  static constexpr uint16_t kQr = 0x8000;
  static constexpr uint16_t kAa = 0x0400;
  static constexpr uint16_t kTc = 0x0200;
  static constexpr uint16_t kRd = 0x0100;
  static constexpr uint16_t kRa = 0x0080;
  static constexpr uint16_t kAd = 0x0020;
  static constexpr uint16_t kCd = 0x0010;
};

inline constexpr size_t kMaxNameLength = 255;  // RFC 1035 §2.3.4, wire octets
inline constexpr size_t kMaxLabelLength = 63;  // RFC 1035 §2.3.4
inline constexpr size_t kHeaderSize = 12;
inline constexpr size_t kMinUdpPayload = 512;  // RFC 1035 §4.2.1, RFC 6891 §6.2.5
inline constexpr size_t kMaxMessageSize = 65535;

// "A", "MX", ... or "TYPE65280" for types without a mnemonic (RFC 3597 §5).
std::string typeToString(uint16_t type);
// Accepts mnemonics case-insensitively and the generic "TYPEnnn" form.
std::optional<uint16_t> typeFromString(std::string_view text);
std::string rcodeToString(uint16_t rcode);

}  // namespace mailjuke::dns
