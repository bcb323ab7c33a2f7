#include "core/notify/email_message.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include "base/clock.h"
#include "base/encoding.h"

namespace mailjuke::core {
namespace {

constexpr size_t kFoldAt = 78;       // RFC 5322 §2.1.1 SHOULD
constexpr size_t kEncodedLine = 76;  // RFC 2047 §2: lines with encoded-words
constexpr size_t kQpLine = 76;       // RFC 2045 §6.7 rule 5
const std::string kWordStart = "=?UTF-8?B?";
const std::string kWordEnd = "?=";

bool plainAscii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x7f || (c < 0x20 && c != '\t')) return false;
  // Text that looks like an encoded-word would be decoded by readers: encode it (RFC 2047 §5).
  return s.find("=?") == std::string_view::npos;
}

// Length of the UTF-8 sequence starting with `lead` (1 for stray continuation bytes).
size_t utf8Length(unsigned char lead) {
  if (lead >= 0xf0) return 4;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 1;
}

std::string foldAscii(std::string_view text, size_t used) {
  std::string out;
  size_t col = used;
  size_t start = 0;
  while (start <= text.size()) {
    size_t space = text.find(' ', start + 1);
    if (space == std::string_view::npos) space = text.size();
    std::string_view piece = text.substr(start, space - start);  // " word" or the first word
    if (col + piece.size() > kFoldAt && start > 0 && piece.front() == ' ') {
      out += "\r\n";
      col = 0;
    }
    out += piece;
    col += piece.size();
    if (space == text.size()) break;
    start = space;
  }
  return out;
}

const std::set<std::string>& reservedFields() {
  static const std::set<std::string> names = {"date",
                                              "from",
                                              "to",
                                              "cc",
                                              "bcc",
                                              "subject",
                                              "message-id",
                                              "mime-version",
                                              "content-type",
                                              "content-transfer-encoding",
                                              "auto-submitted",
                                              "sender",
                                              "reply-to",
                                              "dkim-signature"};
  return names;
}

bool validFieldName(std::string_view name) {
  if (name.empty() || name.size() > 76) return false;
  for (unsigned char c : name)
    if (c < 33 || c > 126 || c == ':') return false;
  return true;
}

std::string displayName(std::string_view name) {
  if (!plainAscii(name)) return encodeHeaderText(name, 6);
  bool atoms = true;
  for (unsigned char c : name)
    if (!(std::isalnum(c) || c == ' ' ||
          std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos))
      atoms = false;
  if (atoms) return std::string(name);
  std::string quoted = "\"";  // RFC 5322 §3.2.4 quoted-string
  for (char c : name) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

std::string boundaryFor(std::string_view message_id) {
  // "=_" never occurs in quoted-printable text (RFC 2045 §6.7: "=" is followed by hex or CRLF).
  std::string b = "=_mj_";
  for (char c : message_id)
    if (std::isalnum(static_cast<unsigned char>(c)) && b.size() < 60) b += c;
  return b;
}

}  // namespace

std::string encodeHeaderText(std::string_view text, size_t used) {
  std::string clean;
  clean.reserve(text.size());
  for (char c : text) clean += (c == '\r' || c == '\n') ? ' ' : c;
  if (plainAscii(clean)) return foldAscii(clean, used);
  std::string out;
  size_t pos = 0;
  size_t col = used;
  while (pos < clean.size()) {
    size_t room = kEncodedLine > col + kWordStart.size() + kWordEnd.size()
                      ? kEncodedLine - col - kWordStart.size() - kWordEnd.size()
                      : 0;
    size_t max_bytes = std::max<size_t>(room / 4 * 3, 6);
    size_t end = pos;
    while (end < clean.size()) {
      size_t n = utf8Length(static_cast<unsigned char>(clean[end]));
      if (end + n - pos > max_bytes) break;
      end += std::min(n, clean.size() - end);
    }
    if (end == pos) end = std::min(clean.size(), pos + utf8Length(clean[pos]));
    if (!out.empty()) {
      out += "\r\n ";  // RFC 2047 §2: adjacent encoded-words separated by FWS
      col = 1;
    }
    std::string word = kWordStart + base64Encode(clean.substr(pos, end - pos)) + kWordEnd;
    out += word;
    col += word.size();
    pos = end;
  }
  return out;
}

std::string quotedPrintable(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    bool last = nl == std::string_view::npos;
    std::string_view line = text.substr(start, (last ? text.size() : nl) - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t col = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(line[i]);
      bool at_end = i + 1 == line.size();
      std::array<char, 3> buf{};
      size_t len;
      if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_end)) {
        buf[0] = static_cast<char>(c);
        len = 1;
      } else {
        buf = {'=', kHex[c >> 4], kHex[c & 15]};
        len = 3;
      }
      // Keep one column for the "=" of a soft line break, unless this is the line's last token.
      size_t limit = at_end ? kQpLine : kQpLine - 1;
      if (col + len > limit) {
        out += "=\r\n";
        col = 0;
      }
      out.append(buf.data(), len);
      col += len;
    }
    if (last) break;
    out += "\r\n";
    start = nl + 1;
  }
  return out;
}

std::string buildEmailMessage(const EmailParts& p) {
  std::string h;
  h += "Date: " + formatRfc5322(p.date) + "\r\n";
  std::string from = p.from_name.empty() ? "<" + p.from_address + ">"
                                         : displayName(p.from_name) + " <" + p.from_address + ">";
  h += "From: " + from + "\r\n";
  h += "To: " + p.to + "\r\n";
  h += "Subject: " + encodeHeaderText(p.subject, 9) + "\r\n";
  h += "Message-ID: <" + p.message_id + ">\r\n";
  h += "MIME-Version: 1.0\r\n";
  if (p.auto_submitted) h += "Auto-Submitted: auto-generated\r\n";
  for (const auto& [name, value] : p.headers) {
    if (!validFieldName(name) || reservedFields().count(toLowerAscii(name))) continue;
    if (value.find_first_of("\r\n") != std::string::npos) continue;
    h += name + ": " + encodeHeaderText(value, name.size() + 2) + "\r\n";
  }
  std::string boundary = boundaryFor(p.message_id);
  h += "Content-Type: multipart/alternative;\r\n boundary=\"" + boundary + "\"\r\n";
  std::string body = "\r\nThis is a multi-part message in MIME format.\r\n";
  auto part = [&](const char* type, const std::string& content) {
    body += "\r\n--" + boundary + "\r\n";
    body += std::string("Content-Type: ") + type + "; charset=utf-8\r\n";
    body += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
    body += quotedPrintable(content);
  };
  part("text/plain", p.text);
  part("text/html", p.html);
  body += "\r\n--" + boundary + "--\r\n";
  return h + body;
}

}  // namespace mailjuke::core
