// Bounds-checked reading and compressing writing of DNS wire data (RFC 1035 §4.1.4).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "proto/dns/name.h"

namespace mailjuke::dns {

// Reads big-endian integers and names from a message; every read checks bounds and sets a
// sticky failure flag instead of throwing.
class WireReader {
 public:
  explicit WireReader(std::string_view message, size_t pos = 0) : msg_(message), pos_(pos) {}

  bool ok() const { return ok_; }
  size_t pos() const { return pos_; }
  size_t remaining() const { return ok_ ? msg_.size() - pos_ : 0; }
  std::string_view message() const { return msg_; }

  uint8_t u8();
  uint16_t u16();
  uint32_t u32();
  std::string_view bytes(size_t n);
  void skip(size_t n) { bytes(n); }
  // Reads a possibly compressed name and returns it uncompressed (with `\0` end). Pointers
  // must point strictly backwards, which rules out loops; the 255-octet limit applies to the
  // expanded name (RFC 1035 §4.1.4, §2.3.4).
  std::string name();
  // Skips a possibly compressed name without expanding it.
  void skipName();
  void fail() { ok_ = false; }

 private:
  std::string_view msg_;
  size_t pos_;
  bool ok_ = true;
};

// Appends to a message buffer, compressing names against the ones already written. Records every
// compression pointer it emits, so a caller can relocate a pre-encoded fragment.
class WireWriter {
 public:
  WireWriter() = default;

  std::string& buffer() { return buf_; }
  const std::string& buffer() const { return buf_; }
  size_t size() const { return buf_.size(); }

  void u8(uint8_t v) { buf_.push_back(static_cast<char>(v)); }
  void u16(uint16_t v);
  void u32(uint32_t v);
  void bytes(std::string_view b) { buf_.append(b); }
  void patchU16(size_t pos, uint16_t v);
  // Writes `wire` (uncompressed form). With `compress`, the longest known suffix becomes a
  // pointer; either way the suffixes written become candidates for later names.
  void name(std::string_view wire, bool compress = true);
  // Positions (in the buffer) of 2-byte compression pointers emitted so far.
  const std::vector<uint16_t>& pointerPositions() const { return pointers_; }
  // Truncates the buffer back to `size` (dropping compression candidates beyond it).
  void truncate(size_t size);
  // Names written at or beyond `limit` are not offered for compression (default 0x4000, the
  // pointer range). A lower limit leaves room to relocate a fragment later.
  void setCompressionLimit(size_t limit) { limit_ = limit; }

 private:
  std::string buf_;
  std::unordered_map<std::string, uint16_t> suffixes_;  // lowercase suffix wire -> offset
  std::vector<uint16_t> pointers_;
  size_t limit_ = 0x4000;
};

// Writes rdata of `type` (given uncompressed) into `w`, compressing embedded names only for the
// RFC 1035 types (NS, CNAME, PTR, MX, SOA); RFC 3597 §4 forbids it for the others.
void writeRdata(WireWriter& w, uint16_t type, std::string_view rdata);
// Writes a whole RR: owner, type, class, TTL, rdlength, rdata.
void writeRecord(WireWriter& w, std::string_view owner_wire, uint16_t type, uint16_t klass,
                 uint32_t ttl, std::string_view rdata);
// Reads rdata of `type` and `rdlength` at the reader position, expanding compressed names, and
// checks the layout of the known types. Returns false on malformed rdata.
bool readRdata(WireReader& r, uint16_t type, uint16_t rdlength, std::string* out);

}  // namespace mailjuke::dns
