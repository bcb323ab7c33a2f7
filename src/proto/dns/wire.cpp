#include "proto/dns/wire.h"

#include "proto/dns/types.h"

namespace mailjuke::dns {

uint8_t WireReader::u8() {
  if (!ok_ || pos_ + 1 > msg_.size()) return fail(), 0;
  return static_cast<uint8_t>(msg_[pos_++]);
}

uint16_t WireReader::u16() {
  if (!ok_ || pos_ + 2 > msg_.size()) return fail(), 0;
  uint16_t v = static_cast<uint16_t>((static_cast<uint8_t>(msg_[pos_]) << 8) |
                                     static_cast<uint8_t>(msg_[pos_ + 1]));
  pos_ += 2;
  return v;
}

uint32_t WireReader::u32() {
  uint32_t hi = u16();
  uint32_t lo = u16();
  return (hi << 16) | lo;
}

std::string_view WireReader::bytes(size_t n) {
  if (!ok_ || n > msg_.size() - pos_) return fail(), std::string_view();
  auto v = msg_.substr(pos_, n);
  pos_ += n;
  return v;
}

std::string WireReader::name() {
  std::string out;
  if (!ok_) return out;
  size_t p = pos_;
  size_t bound = pos_;  // every pointer must target strictly below this: no loops possible
  bool jumped = false;
  while (true) {
    if (p >= msg_.size()) return fail(), std::string();
    uint8_t len = static_cast<uint8_t>(msg_[p]);
    if ((len & 0xC0) == 0xC0) {
      if (p + 1 >= msg_.size()) return fail(), std::string();
      size_t target = (static_cast<size_t>(len & 0x3F) << 8) | static_cast<uint8_t>(msg_[p + 1]);
      if (target >= bound) return fail(), std::string();
      if (!jumped) pos_ = p + 2;
      jumped = true;
      p = bound = target;
      continue;
    }
    if (len & 0xC0) return fail(), std::string();  // RFC 6891 §5: extended label types gone
    if (len == 0) {
      out.push_back('\0');
      if (!jumped) pos_ = p + 1;
      break;
    }
    if (p + 1 + len > msg_.size() || out.size() + 1 + len + 1 > kMaxNameLength)
      return fail(), std::string();
    out.append(msg_.substr(p, 1 + len));
    p += 1 + len;
  }
  return out;
}

void WireReader::skipName() {
  while (ok_) {
    uint8_t len = u8();
    if ((len & 0xC0) == 0xC0) {
      u8();
      return;
    }
    if (len & 0xC0) return fail();
    if (len == 0) return;
    skip(len);
  }
}

void WireWriter::u16(uint16_t v) {
  buf_.push_back(static_cast<char>(v >> 8));
  buf_.push_back(static_cast<char>(v & 0xFF));
}

void WireWriter::u32(uint32_t v) {
  u16(static_cast<uint16_t>(v >> 16));
  u16(static_cast<uint16_t>(v & 0xFFFF));
}

void WireWriter::patchU16(size_t pos, uint16_t v) {
  buf_[pos] = static_cast<char>(v >> 8);
  buf_[pos + 1] = static_cast<char>(v & 0xFF);
}

void WireWriter::name(std::string_view wire, bool compress) {
  std::string lower(wire);
  for (auto& c : lower) c = static_cast<char>(lowerOctet(static_cast<uint8_t>(c)));
  size_t k = 0;
  int pointer = -1;
  while (static_cast<uint8_t>(lower[k]) != 0) {
    if (compress) {
      auto it = suffixes_.find(lower.substr(k));
      if (it != suffixes_.end()) {
        pointer = it->second;
        break;
      }
    }
    k += 1 + static_cast<uint8_t>(lower[k]);
  }
  // Write the labels before the matched suffix; each becomes a candidate for later names.
  for (size_t p = 0; p < k; p += 1 + static_cast<uint8_t>(wire[p])) {
    if (buf_.size() < limit_)
      suffixes_.emplace(lower.substr(p), static_cast<uint16_t>(buf_.size()));
    buf_.append(wire.substr(p, 1 + static_cast<uint8_t>(wire[p])));
  }
  if (pointer >= 0) {
    pointers_.push_back(static_cast<uint16_t>(buf_.size()));
    u16(static_cast<uint16_t>(0xC000 | pointer));
  } else {
    buf_.push_back('\0');
  }
}

void WireWriter::truncate(size_t size) {
  buf_.resize(size);
  std::erase_if(suffixes_, [size](const auto& e) { return e.second >= size; });
  std::erase_if(pointers_, [size](uint16_t p) { return p >= size; });
}

namespace {
size_t wireNameLength(std::string_view rdata, size_t pos) {
  size_t p = pos;
  while (p < rdata.size() && rdata[p] != 0) p += 1 + static_cast<uint8_t>(rdata[p]);
  return p + 1 - pos;
}
}  // namespace

void writeRdata(WireWriter& w, uint16_t type, std::string_view rdata) {
  switch (type) {
    case RrType::kNs:
    case RrType::kCname:
    case RrType::kPtr:
      w.name(rdata, true);
      return;
    case RrType::kMx:
      w.bytes(rdata.substr(0, 2));
      w.name(rdata.substr(2), true);
      return;
    case RrType::kSoa: {
      size_t m = wireNameLength(rdata, 0);
      size_t r = wireNameLength(rdata, m);
      w.name(rdata.substr(0, m), true);
      w.name(rdata.substr(m, r), true);
      w.bytes(rdata.substr(m + r));
      return;
    }
    default:
      w.bytes(rdata);
  }
}

void writeRecord(WireWriter& w, std::string_view owner_wire, uint16_t type, uint16_t klass,
                 uint32_t ttl, std::string_view rdata) {
  w.name(owner_wire, true);
  w.u16(type);
  w.u16(klass);
  w.u32(ttl);
  size_t len_pos = w.size();
  w.u16(0);
  writeRdata(w, type, rdata);
  w.patchU16(len_pos, static_cast<uint16_t>(w.size() - len_pos - 2));
}

bool readRdata(WireReader& r, uint16_t type, uint16_t rdlength, std::string* out) {
  if (r.remaining() < rdlength) return false;
  size_t end = r.pos() + rdlength;
  out->clear();
  switch (type) {
    case RrType::kA:
      if (rdlength != 4) return false;
      *out = r.bytes(4);
      break;
    case RrType::kAaaa:
      if (rdlength != 16) return false;
      *out = r.bytes(16);
      break;
    case RrType::kNs:
    case RrType::kCname:
    case RrType::kPtr:
      *out = r.name();
      break;
    case RrType::kMx:
      *out = r.bytes(2);
      *out += r.name();
      break;
    case RrType::kSrv:
      *out = r.bytes(6);
      *out += r.name();
      break;
    case RrType::kSoa:
      *out = r.name();
      *out += r.name();
      *out += r.bytes(20);
      break;
    case RrType::kTxt: {
      // RFC 1035 §3.3.14: one or more <character-string>s filling the rdata exactly.
      if (rdlength == 0) return false;
      *out = r.bytes(rdlength);
      for (size_t p = 0; p < out->size(); p += 1 + static_cast<uint8_t>((*out)[p]))
        if (p + 1 + static_cast<uint8_t>((*out)[p]) > out->size()) return false;
      break;
    }
    case RrType::kCaa: {
      // RFC 8659 §4.1: flags, tag length (>= 1), tag, value.
      if (rdlength < 2) return false;
      *out = r.bytes(rdlength);
      uint8_t tag_len = static_cast<uint8_t>((*out)[1]);
      if (tag_len == 0 || 2u + tag_len > rdlength) return false;
      break;
    }
    default:
      *out = r.bytes(rdlength);
  }
  return r.ok() && r.pos() == end;
}

}  // namespace mailjuke::dns
