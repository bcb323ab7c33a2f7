#include "core/mailauth/spf_macro.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "base/encoding.h"

namespace mailjuke::core::mailauth {
namespace {

Error bad(std::string message) { return Error::invalid("spf", std::move(message)); }

// RFC 3986 unreserved characters stay; everything else is percent-encoded (§7.3).
std::string urlEscape(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string letterValue(char letter, const SpfMacroContext& ctx) {
  switch (letter) {
    case 's':
      return ctx.sender;
    case 'l':
      return ctx.local_part;
    case 'o':
      return ctx.sender_domain;
    case 'd':
      return ctx.domain;
    case 'i':
      return ctx.ip;
    case 'p':
      return "unknown";  // §7.3: allowed when the name cannot be validated
    case 'v':
      return ctx.ipv6 ? "ip6" : "in-addr";
    case 'h':
      return ctx.helo;
    default:
      return "";
  }
}

}  // namespace

Result<std::string> expandMacros(std::string_view s, const SpfMacroContext& ctx) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 1 >= s.size()) return bad("a lone \"%\"");
    char n = s[++i];
    if (n == '%') {  // §7.1 escapes
      out += '%';
      continue;
    }
    if (n == '_') {
      out += ' ';
      continue;
    }
    if (n == '-') {
      out += "%20";
      continue;
    }
    if (n != '{' || i + 1 >= s.size()) return bad("bad macro");
    char raw_letter = s[++i];
    char letter = char(std::tolower(static_cast<unsigned char>(raw_letter)));
    if (std::string_view("slodipvh").find(letter) == std::string_view::npos)
      return bad("unsupported macro letter");
    ++i;
    // transformers = *DIGIT [ "r" ]
    size_t keep = 0;
    bool has_digits = false;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      has_digits = true;
      keep = std::min<size_t>(keep * 10 + size_t(s[i] - '0'), 1000);
      ++i;
    }
    if (has_digits && keep == 0) return bad("a macro transformer of 0");
    bool reverse = false;
    if (i < s.size() && (s[i] == 'r' || s[i] == 'R')) {
      reverse = true;
      ++i;
    }
    std::string delimiters;
    while (i < s.size() && std::string_view(".-+,/_=").find(s[i]) != std::string_view::npos)
      delimiters += s[i++];
    if (i >= s.size() || s[i] != '}') return bad("unterminated macro");
    if (delimiters.empty()) delimiters = ".";
    // §7.3: split on the delimiters, optionally reverse, keep the right-most parts, join with ".".
    std::string value = letterValue(letter, ctx);
    std::vector<std::string> parts(1);
    for (char c : value) {
      if (delimiters.find(c) != std::string::npos)
        parts.emplace_back();
      else
        parts.back() += c;
    }
    if (reverse) std::reverse(parts.begin(), parts.end());
    if (has_digits && keep < parts.size()) parts.erase(parts.begin(), parts.end() - long(keep));
    std::string joined;
    for (size_t p = 0; p < parts.size(); ++p) joined += (p ? "." : "") + parts[p];
    out += std::isupper(static_cast<unsigned char>(raw_letter)) ? urlEscape(joined) : joined;
  }
  return out;
}

Result<std::string> expandDomainSpec(std::string_view text, const SpfMacroContext& ctx) {
  MJ_TRY_ASSIGN(std::string out, expandMacros(text, ctx));
  if (!out.empty() && out.back() == '.') out.pop_back();
  while (out.size() > 253) {  // §7.3: drop labels from the left until it fits
    size_t dot = out.find('.');
    if (dot == std::string::npos) return bad("expanded domain too long");
    out.erase(0, dot + 1);
  }
  return out;
}

}  // namespace mailjuke::core::mailauth
