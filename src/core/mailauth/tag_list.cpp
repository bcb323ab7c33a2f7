#include "core/mailauth/tag_list.h"

namespace mailjuke::core::mailauth {
namespace {

bool isWsp(char c) { return c == ' ' || c == '\t'; }
bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
// RFC 6376 §3.2: VALCHAR = %x21-3A / %x3C-7E (printable ASCII except ";").
bool isValChar(char c) { return c >= 0x21 && c <= 0x7e && c != ';'; }

// Skips FWS = [*WSP CRLF] 1*WSP (RFC 5322 §3.2.2, as used by RFC 6376 §2.8). A CRLF must be
// followed by WSP; otherwise the input is malformed.
bool skipFws(std::string_view s, size_t& i) {
  for (;;) {
    while (i < s.size() && isWsp(s[i])) ++i;
    if (i + 1 < s.size() && s[i] == '\r' && s[i + 1] == '\n') {
      if (i + 2 >= s.size() || !isWsp(s[i + 2])) return false;
      i += 2;
      continue;
    }
    if (i < s.size() && (s[i] == '\r' || s[i] == '\n')) return false;  // bare CR or LF
    return true;
  }
}

}  // namespace

const std::string* TagList::get(std::string_view name) const {
  for (const auto& [n, v] : tags)
    if (n == name) return &v;
  return nullptr;
}

Result<TagList> parseTagList(std::string_view s) {
  auto bad = [](std::string message) { return Error::invalid("tag-list", std::move(message)); };
  TagList out;
  size_t i = 0;
  for (;;) {
    if (!skipFws(s, i)) return bad("bad folding");
    // A trailing ";" may end the list (§3.2), followed only by FWS.
    if (i == s.size()) {
      if (out.tags.empty()) return bad("empty tag list");
      return out;
    }
    // tag-name = ALPHA *ALNUMPUNC
    size_t name_start = i;
    if (!isAlpha(s[i])) return bad("a tag name must start with a letter");
    while (i < s.size() && (isAlpha(s[i]) || isDigit(s[i]) || s[i] == '_')) ++i;
    std::string name(s.substr(name_start, i - name_start));
    if (!skipFws(s, i)) return bad("bad folding");
    if (i == s.size() || s[i] != '=') return bad("tag \"" + name + "\" needs \"=\"");
    ++i;
    if (!skipFws(s, i)) return bad("bad folding");
    // tag-value = [ tval *( 1*(WSP / FWS) tval ) ]; trailing FWS is not part of the value.
    size_t value_start = i, value_end = i;
    while (i < s.size() && s[i] != ';') {
      if (isValChar(s[i])) {
        ++i;
        value_end = i;
      } else if (isWsp(s[i]) || s[i] == '\r' || s[i] == '\n') {
        if (!skipFws(s, i)) return bad("bad folding in tag \"" + name + "\"");
      } else {
        return bad("invalid character in tag \"" + name + "\"");
      }
    }
    if (out.get(name)) return bad("duplicate tag \"" + name + "\"");  // §3.2
    out.tags.emplace_back(std::move(name),
                          std::string(s.substr(value_start, value_end - value_start)));
    if (i == s.size()) return out;
    ++i;  // ";"
  }
}

std::string stripWhitespace(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value)
    if (!isWsp(c) && c != '\r' && c != '\n') out += c;
  return out;
}

std::vector<std::string> splitList(std::string_view value, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t end = value.find(sep, start);
    std::string piece = stripWhitespace(
        value.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    out.push_back(std::move(piece));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = char(x + 32);
    if (y >= 'A' && y <= 'Z') y = char(y + 32);
    if (x != y) return false;
  }
  return true;
}

}  // namespace mailjuke::core::mailauth
