#include "proto/mime/headers.h"

#include <cctype>

namespace mailjuke::mime {
namespace {
bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}
}  // namespace

const HeaderField* ParsedHeaders::find(std::string_view name) const {
  for (const auto& f : fields)
    if (iequals(f.name, name)) return &f;
  return nullptr;
}

size_t ParsedHeaders::count(std::string_view name) const {
  size_t n = 0;
  for (const auto& f : fields) n += iequals(f.name, name);
  return n;
}

Result<ParsedHeaders> parseHeaders(std::string_view m) {
  ParsedHeaders out;
  size_t pos = 0;
  while (pos < m.size()) {
    if (m.compare(pos, 2, "\r\n") == 0) {  // the empty line ends the header section
      out.body_offset = pos + 2;
      out.has_body_separator = true;
      return out;
    }
    if (m[pos] == ' ' || m[pos] == '\t')
      return Error::invalid("header", "a header section cannot start with a continuation line");
    // One field: up to a CRLF not followed by WSP.
    size_t end = pos;
    for (;;) {
      size_t crlf = m.find("\r\n", end);
      if (crlf == std::string_view::npos) {
        end = m.size();
        break;
      }
      end = crlf + 2;
      if (end >= m.size() || (m[end] != ' ' && m[end] != '\t')) break;
    }
    std::string_view raw = m.substr(pos, end - pos);
    if (raw.size() > kMaxHeaderField)
      return Error::make(ErrorCode::kTooLarge, "header field too long");
    size_t colon = raw.find(':');
    if (colon == std::string_view::npos || colon == 0)
      return Error::invalid("header", "a header field needs a name and a colon");
    std::string_view name = raw.substr(0, colon);
    for (unsigned char c : name)  // RFC 5322 §3.6.8 ftext: printable ASCII except colon
      if (c < 33 || c > 126)
        return Error::invalid("header", "invalid character in a header field name");
    for (unsigned char c : raw)
      if (c >= 0x80) out.eight_bit = true;
    std::string_view value = raw.substr(colon + 1);
    if (value.size() >= 2 && value.substr(value.size() - 2) == "\r\n") value.remove_suffix(2);
    out.fields.push_back({name, raw, value});
    if (out.fields.size() > kMaxHeaderFields)
      return Error::make(ErrorCode::kTooLarge, "too many header fields");
    pos = end;
  }
  out.body_offset = m.size();
  return out;
}

std::string unfold(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\r' && i + 1 < v.size() && v[i + 1] == '\n') {
      ++i;
      continue;
    }
    out += v[i];
  }
  return out;
}

std::vector<std::string> addresses(std::string_view raw) {
  std::string v = unfold(raw);
  std::vector<std::string> out;
  std::string current, angle;
  bool in_quote = false, in_angle = false, has_angle = false;
  int comment = 0;
  auto flush = [&] {
    std::string a = has_angle ? angle : current;
    size_t b = a.find_first_not_of(" \t"), e = a.find_last_not_of(" \t");
    if (b != std::string::npos)
      a = a.substr(b, e - b + 1);
    else
      a.clear();
    if (a.find('@') != std::string::npos) out.push_back(a);
    current.clear();
    angle.clear();
    has_angle = false;
  };
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (comment) {
      if (c == '\\')
        ++i;
      else if (c == '(')
        ++comment;
      else if (c == ')')
        --comment;
      continue;
    }
    if (in_quote) {
      if (c == '\\' && i + 1 < v.size())
        c = v[++i];
      else if (c == '"')
        in_quote = false;
      (in_angle ? angle : current) += c;
      continue;
    }
    switch (c) {
      case '"':
        in_quote = true;
        (in_angle ? angle : current) += c;
        break;
      case '(':
        ++comment;
        break;
      case '<':
        in_angle = true;
        has_angle = true;
        angle.clear();
        break;
      case '>':
        in_angle = false;
        break;
      case ':':
        if (!in_angle)
          current.clear();
        else
          angle += c;
        break;  // group display name
      case ',':
      case ';':
        if (!in_angle)
          flush();
        else
          angle += c;
        break;
      default:
        (in_angle ? angle : current) += c;
    }
  }
  flush();
  return out;
}

}  // namespace mailjuke::mime
