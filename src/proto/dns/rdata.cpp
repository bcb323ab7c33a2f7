#include "proto/dns/rdata.h"

#include <arpa/inet.h>

#include <charconv>

#include "base/encoding.h"
#include "proto/dns/types.h"

namespace mailjuke::dns {
namespace {

Error rdataError(uint16_t type, std::string message) {
  return Error::make(ErrorCode::kInvalid, typeToString(type) + " rdata: " + message);
}

template <class T>
std::optional<T> parseUnsigned(std::string_view text) {
  T value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

void putU16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xFF));
}

void putU32(std::string& out, uint32_t v) {
  putU16(out, static_cast<uint16_t>(v >> 16));
  putU16(out, static_cast<uint16_t>(v & 0xFFFF));
}

// Appends `text` as <character-string>s of at most 255 octets (RFC 1035 §3.3).
void appendCharacterStrings(std::string& out, std::string_view text) {
  if (text.empty()) {
    out.push_back('\0');
    return;
  }
  for (size_t p = 0; p < text.size(); p += 255) {
    auto chunk = text.substr(p, 255);
    out.push_back(static_cast<char>(chunk.size()));
    out.append(chunk);
  }
}

Result<std::string> parseGeneric(uint16_t type, std::span<const Token> t) {
  // RFC 3597 §5: \# <rdlength> <hex words...>
  auto len = t.size() >= 2 ? parseUnsigned<uint16_t>(t[1].text) : std::nullopt;
  if (!len) return rdataError(type, "bad \\# length");
  std::string hex;
  for (size_t i = 2; i < t.size(); ++i) hex += t[i].text;
  auto bytes = hexDecode(hex);
  if (!bytes || bytes->size() != *len) return rdataError(type, "\\# hex does not match length");
  return *bytes;
}

Result<std::string> parseName(const Token& t, const Name& origin) {
  MJ_TRY_ASSIGN(Name n, Name::parse(t.text, origin));
  return n.wire();
}

void appendQuoted(std::string& out, std::string_view s) {
  out.push_back('"');
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c >= 0x7F) {
      char buf[5] = {'\\', static_cast<char>('0' + c / 100), static_cast<char>('0' + c / 10 % 10),
                     static_cast<char>('0' + c % 10), 0};
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
}

size_t nameEnd(std::string_view rdata, size_t pos) {
  while (pos < rdata.size() && rdata[pos] != 0) pos += 1 + static_cast<uint8_t>(rdata[pos]);
  return pos + 1;
}

std::string nameText(std::string_view wire) {
  auto n = Name::fromWire(wire);
  return n.ok() ? n->toString() : std::string("?");
}

uint16_t getU16(std::string_view s, size_t p) {
  return static_cast<uint16_t>((static_cast<uint8_t>(s[p]) << 8) | static_cast<uint8_t>(s[p + 1]));
}

uint32_t getU32(std::string_view s, size_t p) {
  return (static_cast<uint32_t>(getU16(s, p)) << 16) | getU16(s, p + 2);
}

}  // namespace

std::optional<uint32_t> parseTtl(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (auto plain = parseUnsigned<uint32_t>(text)) return plain;
  uint64_t total = 0, current = 0;
  bool digits = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      current = current * 10 + static_cast<uint64_t>(c - '0');
      digits = true;
      if (current > 0xFFFFFFFFull) return std::nullopt;
      continue;
    }
    uint64_t unit = 0;
    switch (c | 0x20) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      case 'w':
        unit = 604800;
        break;
      default:
        return std::nullopt;
    }
    if (!digits) return std::nullopt;
    total += current * unit;
    current = 0;
    digits = false;
    if (total > 0xFFFFFFFFull) return std::nullopt;
  }
  if (digits) return std::nullopt;  // "1h30" is ambiguous: reject
  return static_cast<uint32_t>(total);
}

Result<std::string> parseRdata(uint16_t type, std::span<const Token> t, const Name& origin) {
  if (!t.empty() && !t[0].quoted && t[0].text == "\\#") return parseGeneric(type, t);
  auto need = [&](size_t n) -> Status {
    if (t.size() != n)
      return rdataError(
          type, "expected " + std::to_string(n) + " fields, got " + std::to_string(t.size()));
    return {};
  };
  std::string out;
  switch (type) {
    case RrType::kA: {
      MJ_TRY(need(1));
      out.resize(4);
      if (inet_pton(AF_INET, t[0].text.c_str(), out.data()) != 1)
        return rdataError(type, "bad IPv4 address");
      return out;
    }
    case RrType::kAaaa: {
      MJ_TRY(need(1));
      out.resize(16);
      if (inet_pton(AF_INET6, t[0].text.c_str(), out.data()) != 1)
        return rdataError(type, "bad IPv6 address");
      return out;
    }
    case RrType::kNs:
    case RrType::kCname:
    case RrType::kPtr:
      MJ_TRY(need(1));
      return parseName(t[0], origin);
    case RrType::kMx: {
      MJ_TRY(need(2));
      auto pref = parseUnsigned<uint16_t>(t[0].text);
      if (!pref) return rdataError(type, "bad preference");
      putU16(out, *pref);
      MJ_TRY_ASSIGN(std::string exchange, parseName(t[1], origin));
      return out + exchange;
    }
    case RrType::kSrv: {
      // RFC 2782: priority weight port target
      MJ_TRY(need(4));
      for (int i = 0; i < 3; ++i) {
        auto v = parseUnsigned<uint16_t>(t[i].text);
        if (!v) return rdataError(type, "bad number '" + t[i].text + "'");
        putU16(out, *v);
      }
      MJ_TRY_ASSIGN(std::string target, parseName(t[3], origin));
      return out + target;
    }
    case RrType::kSoa: {
      // RFC 1035 §3.3.13: mname rname serial refresh retry expire minimum
      MJ_TRY(need(7));
      MJ_TRY_ASSIGN(std::string mname, parseName(t[0], origin));
      MJ_TRY_ASSIGN(std::string rname, parseName(t[1], origin));
      out = mname + rname;
      auto serial = parseUnsigned<uint32_t>(t[2].text);
      if (!serial) return rdataError(type, "bad serial");
      putU32(out, *serial);
      for (int i = 3; i < 7; ++i) {
        auto v = parseTtl(t[i].text);
        if (!v) return rdataError(type, "bad timer '" + t[i].text + "'");
        putU32(out, *v);
      }
      return out;
    }
    case RrType::kTxt: {
      if (t.empty()) return rdataError(type, "no strings");
      for (const auto& token : t) {
        MJ_TRY_ASSIGN(std::string s, decodeEscapes(token.text));
        appendCharacterStrings(out, s);
      }
      if (out.size() > 65535) return rdataError(type, "longer than 65535 octets");
      return out;
    }
    case RrType::kCaa: {
      // RFC 8659 §4.1.1: flags tag value; the tag is 1-15 ASCII letters and digits.
      MJ_TRY(need(3));
      auto flags = parseUnsigned<uint8_t>(t[0].text);
      if (!flags) return rdataError(type, "bad flags");
      const std::string& tag = t[1].text;
      if (tag.empty() || tag.size() > 15) return rdataError(type, "bad tag");
      for (char c : tag)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
          return rdataError(type, "bad tag");
      MJ_TRY_ASSIGN(std::string value, decodeEscapes(t[2].text));
      out.push_back(static_cast<char>(*flags));
      out.push_back(static_cast<char>(tag.size()));
      return out + tag + value;
    }
    default:
      return rdataError(type, "use the \\# generic form for this type");
  }
}

Result<std::string> parseRdataText(uint16_t type, std::string_view text, const Name& origin) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() &&
         (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' || text.back() == '\r'))
    text.remove_suffix(1);
  if (type == RrType::kTxt && !text.empty() && text.front() != '"') {
    std::string out;
    appendCharacterStrings(out, text);
    if (out.size() > 65535) return rdataError(type, "longer than 65535 octets");
    return out;
  }
  for (char c : text)
    if (c == '\n') return rdataError(type, "line break in rdata");
  MJ_TRY_ASSIGN(auto entries, lexMasterFile(text));
  if (entries.size() != 1) return rdataError(type, "empty rdata");
  return parseRdata(type, entries[0].tokens, origin);
}

std::string rdataToText(uint16_t type, std::string_view rd) {
  char buf[INET6_ADDRSTRLEN];
  switch (type) {
    case RrType::kA:
      if (rd.size() == 4 && inet_ntop(AF_INET, rd.data(), buf, sizeof buf)) return buf;
      break;
    case RrType::kAaaa:
      if (rd.size() == 16 && inet_ntop(AF_INET6, rd.data(), buf, sizeof buf)) return buf;
      break;
    case RrType::kNs:
    case RrType::kCname:
    case RrType::kPtr:
      return nameText(rd);
    case RrType::kMx:
      if (rd.size() >= 3) return std::to_string(getU16(rd, 0)) + " " + nameText(rd.substr(2));
      break;
    case RrType::kSrv:
      if (rd.size() >= 7)
        return std::to_string(getU16(rd, 0)) + " " + std::to_string(getU16(rd, 2)) + " " +
               std::to_string(getU16(rd, 4)) + " " + nameText(rd.substr(6));
      break;
    case RrType::kSoa: {
      size_t m = nameEnd(rd, 0);
      size_t r = nameEnd(rd, m);
      if (r + 20 != rd.size()) break;
      std::string out = nameText(rd.substr(0, m)) + " " + nameText(rd.substr(m, r - m));
      for (int i = 0; i < 5; ++i) out += " " + std::to_string(getU32(rd, r + 4 * i));
      return out;
    }
    case RrType::kTxt: {
      std::string out;
      for (size_t p = 0; p < rd.size();) {
        size_t len = static_cast<uint8_t>(rd[p]);
        if (p + 1 + len > rd.size())
          return "\\# " + std::to_string(rd.size()) + " " + hexEncode(rd);
        if (!out.empty()) out.push_back(' ');
        appendQuoted(out, rd.substr(p + 1, len));
        p += 1 + len;
      }
      return out;
    }
    case RrType::kCaa:
      if (rd.size() >= 2 && 2u + static_cast<uint8_t>(rd[1]) <= rd.size()) {
        size_t tag_len = static_cast<uint8_t>(rd[1]);
        std::string out = std::to_string(static_cast<uint8_t>(rd[0])) + " " +
                          std::string(rd.substr(2, tag_len)) + " ";
        appendQuoted(out, rd.substr(2 + tag_len));
        return out;
      }
      break;
    default:
      break;
  }
  // RFC 3597 §5 generic form.
  return "\\# " + std::to_string(rd.size()) + (rd.empty() ? "" : " " + hexEncode(rd));
}

}  // namespace mailjuke::dns
