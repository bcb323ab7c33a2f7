#include "core/mailauth/dkim_canon.h"

namespace mailjuke::core::mailauth {
namespace {

bool isWsp(char c) { return c == ' ' || c == '\t'; }

// RFC 6376 §3.4.4 (per line): WSP runs become one SP, WSP at the end of the line is removed.
void appendRelaxedLine(std::string& out, std::string_view line) {
  bool pending_space = false;
  for (char c : line) {
    if (isWsp(c)) {
      pending_space = true;
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
}

}  // namespace

std::string canonHeader(Canon canon, std::string_view raw) {
  if (canon == Canon::kSimple) return std::string(raw);  // §3.4.1: unchanged
  // §3.4.2 relaxed.
  bool crlf_end = raw.size() >= 2 && raw.substr(raw.size() - 2) == "\r\n";
  if (crlf_end) raw.remove_suffix(2);
  size_t colon = raw.find(':');
  std::string_view name = raw.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? "" : raw.substr(colon + 1);
  std::string out;
  out.reserve(raw.size() + 2);
  // Lowercase the name; delete WSP before the colon.
  while (!name.empty() && isWsp(name.back())) name.remove_suffix(1);
  for (char c : name) out += (c >= 'A' && c <= 'Z') ? char(c + 32) : c;
  out += ':';
  // Unfold (delete CRLF), reduce WSP runs to one SP, delete WSP at the end and after the colon.
  bool pending_space = false, started = false;
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '\r' && i + 1 < value.size() && value[i + 1] == '\n') {
      ++i;
      continue;
    }
    if (isWsp(c)) {
      pending_space = started;
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    started = true;
    out += c;
  }
  if (crlf_end) out += "\r\n";
  return out;
}

std::string canonBody(Canon canon, std::string_view body) {
  std::string out;
  out.reserve(body.size() + 2);
  if (canon == Canon::kSimple) {
    out.assign(body);
  } else {
    size_t pos = 0;
    while (pos < body.size()) {
      size_t crlf = body.find("\r\n", pos);
      if (crlf == std::string_view::npos) {
        appendRelaxedLine(out, body.substr(pos));  // last line without CRLF
        break;
      }
      appendRelaxedLine(out, body.substr(pos, crlf - pos));
      out += "\r\n";
      pos = crlf + 2;
    }
  }
  // §3.4.3 / §3.4.4: ignore all empty lines at the end of the body.
  if (!out.empty() && (out.size() < 2 || out.substr(out.size() - 2) != "\r\n")) out += "\r\n";
  while (out.size() >= 4 && out.compare(out.size() - 4, 4, "\r\n\r\n") == 0)
    out.resize(out.size() - 2);
  if (out == "\r\n") out.clear();
  // §3.4.3: simple canonicalisation of an empty body is a single CRLF; §3.4.4 (and RFC 4871
  // erratum 1384): relaxed leaves it empty.
  if (out.empty() && canon == Canon::kSimple) out = "\r\n";
  return out;
}

bool parseCanon(std::string_view text, Canon& out) {
  if (text == "simple") {
    out = Canon::kSimple;
  } else if (text == "relaxed") {
    out = Canon::kRelaxed;
  } else {
    return false;
  }
  return true;
}

}  // namespace mailjuke::core::mailauth
