#include "proto/imap/writer.h"

#include <cstdint>

namespace mailjuke::imap {
namespace {

constexpr size_t kMaxQuoted = 1024;  // longer strings go as literals

bool isAtomChar(unsigned char c) {
  return c > 0x20 && c < 0x7f && c != '(' && c != ')' && c != '{' && c != '"' && c != '\\' &&
         c != '%' && c != '*' && c != ']';
}

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int b64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

// UTF-8 → code points; nullopt on malformed input.
std::optional<std::u32string> codePoints(std::string_view s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
    if (n < 0) return std::nullopt;
    char32_t cp = n == 0 ? c : (c & (0x3f >> n));
    for (int k = 1; k <= n; ++k) {
      if (i + size_t(k) >= s.size()) return std::nullopt;
      auto cc = static_cast<unsigned char>(s[i + size_t(k)]);
      if ((cc & 0xc0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (cc & 0x3f);
    }
    out.push_back(cp);
    i += size_t(n) + 1;
  }
  return out;
}

void appendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(char(cp));
  } else if (cp < 0x800) {
    out.push_back(char(0xc0 | (cp >> 6)));
    out.push_back(char(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push_back(char(0xe0 | (cp >> 12)));
    out.push_back(char(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(char(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(char(0xf0 | (cp >> 18)));
    out.push_back(char(0x80 | ((cp >> 12) & 0x3f)));
    out.push_back(char(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(char(0x80 | (cp & 0x3f)));
  }
}

}  // namespace

void appendString(std::string& out, std::string_view s, bool utf8) {
  bool quotable = s.size() <= kMaxQuoted;
  for (size_t i = 0; quotable && i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '\r' || c == '\n' || c == 0 || (c >= 0x80 && !utf8)) quotable = false;
  }
  if (!quotable) {
    out += "{" + std::to_string(s.size()) + "}\r\n";
    out.append(s);
    return;
  }
  out.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

void appendNString(std::string& out, const std::optional<std::string>& s, bool utf8) {
  if (!s)
    out += "NIL";
  else
    appendString(out, *s, utf8);
}

void appendAString(std::string& out, std::string_view s, bool utf8) {
  bool atom = !s.empty() && s != "NIL" && s != "nil";
  for (char c : s)
    if (!isAtomChar(static_cast<unsigned char>(c))) atom = false;
  if (atom)
    out.append(s);
  else
    appendString(out, s, utf8);
}

void appendFlagList(std::string& out, const std::vector<std::string>& flags) {
  out.push_back('(');
  for (size_t i = 0; i < flags.size(); ++i) {
    if (i) out.push_back(' ');
    out += flags[i];
  }
  out.push_back(')');
}

std::string encodeMailboxName(std::string_view utf8) {
  auto cps = codePoints(utf8);
  if (!cps) return std::string(utf8);  // not UTF-8: pass through unchanged
  std::string out;
  std::u16string pending;
  auto flush = [&] {
    if (pending.empty()) return;
    out.push_back('&');
    uint32_t bits = 0;
    int nbits = 0;
    for (char16_t u : pending) {
      bits = (bits << 16) | u;
      nbits += 16;
      while (nbits >= 6) {
        nbits -= 6;
        out.push_back(kB64[(bits >> nbits) & 0x3f]);
      }
    }
    if (nbits > 0) out.push_back(kB64[(bits << (6 - nbits)) & 0x3f]);
    out.push_back('-');
    pending.clear();
  };
  for (char32_t cp : *cps) {
    if (cp >= 0x20 && cp <= 0x7e) {
      flush();
      if (cp == '&')
        out += "&-";
      else
        out.push_back(char(cp));
    } else if (cp >= 0x10000) {
      char32_t v = cp - 0x10000;
      pending.push_back(char16_t(0xd800 + (v >> 10)));
      pending.push_back(char16_t(0xdc00 + (v & 0x3ff)));
    } else {
      pending.push_back(char16_t(cp));
    }
  }
  flush();
  return out;
}

std::optional<std::string> decodeMailboxName(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (static_cast<unsigned char>(c) >= 0x80) return std::nullopt;
    if (c != '&') {
      out.push_back(c);
      continue;
    }
    size_t end = s.find('-', i + 1);
    if (end == std::string_view::npos) return std::nullopt;
    if (end == i + 1) {
      out.push_back('&');
      i = end;
      continue;
    }
    uint32_t bits = 0;
    int nbits = 0;
    char16_t high = 0;
    for (size_t k = i + 1; k < end; ++k) {
      int v = b64Value(s[k]);
      if (v < 0) return std::nullopt;
      bits = (bits << 6) | uint32_t(v);
      nbits += 6;
      if (nbits >= 16) {
        nbits -= 16;
        auto u = char16_t((bits >> nbits) & 0xffff);
        if (u >= 0xd800 && u < 0xdc00) {
          if (high) return std::nullopt;
          high = u;
        } else if (u >= 0xdc00 && u < 0xe000) {
          if (!high) return std::nullopt;
          appendUtf8(out, 0x10000 + ((char32_t(high) - 0xd800) << 10) + (u - 0xdc00));
          high = 0;
        } else {
          if (high || (u >= 0x20 && u <= 0x7e)) return std::nullopt;  // must be direct
          appendUtf8(out, u);
        }
      }
    }
    if (high || (bits & ((1u << nbits) - 1)) != 0) return std::nullopt;
    i = end;
  }
  return out;
}

}  // namespace mailjuke::imap
