#include "proto/dns/name.h"

#include "proto/dns/types.h"

namespace mailjuke::dns {
namespace {

Error nameError(std::string message) {
  return Error::make(ErrorCode::kInvalid, std::move(message));
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Result<Name> Name::parse(std::string_view text, const Name& origin) {
  if (text == "@") return origin;
  if (text.empty()) return nameError("empty domain name");
  if (text == ".") return Name();
  std::string wire;
  std::string label;
  bool absolute = false;
  auto flush = [&]() -> Status {
    if (label.empty()) return nameError("empty label in '" + std::string(text) + "'");
    if (label.size() > kMaxLabelLength) return nameError("label longer than 63 octets");
    wire.push_back(static_cast<char>(label.size()));
    wire += label;
    label.clear();
    return {};
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\') {
      // RFC 1035 §5.1: \DDD is a decimal octet, \X is X literally.
      if (i + 1 >= text.size()) return nameError("dangling escape in name");
      if (isDigit(text[i + 1])) {
        if (i + 3 >= text.size() || !isDigit(text[i + 2]) || !isDigit(text[i + 3]))
          return nameError("bad \\DDD escape in name");
        int v = (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
        if (v > 255) return nameError("\\DDD escape above 255");
        label.push_back(static_cast<char>(v));
        i += 3;
      } else {
        label.push_back(text[++i]);
      }
    } else if (c == '.') {
      MJ_TRY(flush());
      if (i + 1 == text.size()) absolute = true;
    } else {
      label.push_back(c);
    }
  }
  if (!absolute) MJ_TRY(flush());
  if (!absolute) {
    wire += origin.wire_;
  } else {
    wire.push_back('\0');
  }
  if (wire.size() > kMaxNameLength) return nameError("domain name longer than 255 octets");
  return Name(std::move(wire));
}

Result<Name> Name::fromWire(std::string_view wire) {
  size_t pos = 0;
  while (true) {
    if (pos >= wire.size()) return nameError("truncated wire name");
    uint8_t len = static_cast<uint8_t>(wire[pos]);
    if (len > kMaxLabelLength) return nameError("bad label length in wire name");
    pos += 1 + len;
    if (len == 0) break;
  }
  if (pos != wire.size() || pos > kMaxNameLength) return nameError("bad wire name length");
  return Name(std::string(wire));
}

size_t Name::labelCount() const {
  size_t n = 0;
  for (size_t pos = 0; wire_[pos] != 0; pos += 1 + static_cast<uint8_t>(wire_[pos])) ++n;
  return n;
}

std::string Name::toString() const {
  if (isRoot()) return ".";
  std::string out;
  for (size_t pos = 0; wire_[pos] != 0;) {
    uint8_t len = static_cast<uint8_t>(wire_[pos]);
    for (size_t i = 1; i <= len; ++i) {
      uint8_t c = static_cast<uint8_t>(wire_[pos + i]);
      if (c == '.' || c == '\\' || c == '"' || c == ';' || c == '(' || c == ')' || c == '@' ||
          c == '$') {
        out.push_back('\\');
        out.push_back(static_cast<char>(c));
      } else if (c <= 0x20 || c >= 0x7F) {
        char buf[5];
        buf[0] = '\\';
        buf[1] = static_cast<char>('0' + c / 100);
        buf[2] = static_cast<char>('0' + (c / 10) % 10);
        buf[3] = static_cast<char>('0' + c % 10);
        out.append(buf, 4);
      } else {
        out.push_back(static_cast<char>(c));
      }
    }
    out.push_back('.');
    pos += 1 + len;
  }
  return out;
}

Name Name::lower() const {
  std::string w = wire_;
  for (auto& c : w) c = static_cast<char>(lowerOctet(static_cast<uint8_t>(c)));
  // Length octets are <= 63 and therefore never in 'A'..'Z' (65..90): lowering is safe.
  return Name(std::move(w));
}

Name Name::parent() const {
  if (isRoot()) return *this;
  return Name(wire_.substr(1 + static_cast<uint8_t>(wire_[0])));
}

bool Name::isSubdomainOf(const Name& ancestor) const {
  size_t a = ancestor.wire_.size();
  if (a > wire_.size()) return false;
  // The suffix must start at a label boundary.
  size_t pos = 0;
  while (wire_.size() - pos > a) pos += 1 + static_cast<uint8_t>(wire_[pos]);
  if (wire_.size() - pos != a) return false;
  return equalWire(std::string_view(wire_).substr(pos), ancestor.wire_);
}

std::string Name::toStringRelative(const Name& origin) const {
  if (*this == origin) return "@";
  if (!origin.isRoot() && isSubdomainOf(origin)) {
    std::string full = toString();
    std::string o = Name(wire_.substr(wire_.size() - origin.wire_.size())).toString();
    return full.substr(0, full.size() - o.size() - 1);
  }
  return toString();
}

bool Name::equalWire(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lowerOctet(static_cast<uint8_t>(a[i])) != lowerOctet(static_cast<uint8_t>(b[i])))
      return false;
  return true;
}

}  // namespace mailjuke::dns
