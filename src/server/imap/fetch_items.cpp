#include "server/imap/fetch_items.h"

#include <strings.h>

#include <algorithm>

#include "proto/mime/structure_json.h"

namespace mailjuke::imap {
namespace {

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

Status parseSection(const std::string& atom, BodySection& s) {
  // BODY[<section>]<<origin>.<count>> or BODY.PEEK[…]; section grammar RFC 9051 §9.
  auto open = atom.find('['), close = atom.rfind(']');
  if (open == std::string::npos || close == std::string::npos || close < open)
    return Error::make(ErrorCode::kMalformed, "Bad section in " + atom);
  std::string spec = atom.substr(open + 1, close - open - 1);
  std::string rest = atom.substr(close + 1);
  if (!rest.empty()) {
    // RFC 9051 §6.4.5: <origin.count>, both numbers; the response names only <origin>.
    auto dot = rest.find('.');
    if (rest.front() != '<' || rest.back() != '>' || dot == std::string::npos)
      return Error::make(ErrorCode::kMalformed, "Bad partial in " + atom);
    try {
      s.origin = std::stoull(rest.substr(1, dot - 1));
      s.count = std::stoull(rest.substr(dot + 1, rest.size() - dot - 2));
    } catch (...) {
      return Error::make(ErrorCode::kMalformed, "Bad partial in " + atom);
    }
    if (*s.count == 0) return Error::make(ErrorCode::kMalformed, "Partial count must be > 0");
  }
  s.response_name = "BODY[" + spec + "]";
  size_t i = 0;
  while (i < spec.size() && std::isdigit(static_cast<unsigned char>(spec[i]))) {
    size_t j = i;
    while (j < spec.size() && std::isdigit(static_cast<unsigned char>(spec[j]))) ++j;
    unsigned long n = 0;
    try {
      n = std::stoul(spec.substr(i, j - i));
    } catch (...) {
      n = 0;
    }
    if (n == 0 || n > 100000) return Error::make(ErrorCode::kMalformed, "Bad part number");
    s.part.push_back(static_cast<uint32_t>(n));
    i = j;
    if (i < spec.size()) {
      if (spec[i] != '.') return Error::make(ErrorCode::kMalformed, "Bad section " + spec);
      ++i;
    }
  }
  std::string text = spec.substr(i);
  std::string list;
  if (auto sp = text.find(' '); sp != std::string::npos) {
    list = text.substr(sp + 1);
    text = text.substr(0, sp);
  }
  s.text = upper(text);
  if (s.text == "HEADER.FIELDS" || s.text == "HEADER.FIELDS.NOT") {
    if (list.size() < 2 || list.front() != '(' || list.back() != ')')
      return Error::make(ErrorCode::kMalformed, "HEADER.FIELDS needs a list of names");
    std::string names = list.substr(1, list.size() - 2), cur;
    for (char c : names + " ") {
      if (c == ' ') {
        if (!cur.empty()) s.fields.push_back(cur);
        cur.clear();
      } else if (c != '"') {
        cur += c;
      }
    }
    if (s.fields.empty()) return Error::make(ErrorCode::kMalformed, "Empty HEADER.FIELDS list");
  } else if (!list.empty() || !(s.text.empty() || s.text == "HEADER" || s.text == "TEXT" ||
                                (s.text == "MIME" && !s.part.empty()))) {
    return Error::make(ErrorCode::kMalformed, "Bad section " + spec);
  }
  return {};
}

Status addItem(const std::string& atom, FetchPlan& p) {
  std::string u = upper(atom);
  if (u == "UID")
    p.uid = true;
  else if (u == "FLAGS")
    p.flags = true;
  else if (u == "INTERNALDATE")
    p.internal_date = true;
  else if (u == "RFC822.SIZE")
    p.size = true;
  else if (u == "ENVELOPE")
    p.envelope = true;
  else if (u == "BODYSTRUCTURE")
    p.bodystructure = true;
  else if (u == "BODY")
    p.body = true;
  else if (u == "MODSEQ")
    p.modseq = true;
  else if (u == "RFC822" || u == "RFC822.HEADER" || u == "RFC822.TEXT") {
    // RFC 3501 §6.4.5: RFC822 = BODY[], RFC822.HEADER = BODY.PEEK[HEADER], RFC822.TEXT = BODY[TEXT]
    BodySection s;
    s.response_name = u;
    s.text = u == "RFC822" ? "" : u == "RFC822.HEADER" ? "HEADER" : "TEXT";
    s.peek = u == "RFC822.HEADER";
    p.sections.push_back(std::move(s));
  } else if (u.rfind("BODY[", 0) == 0 || u.rfind("BODY.PEEK[", 0) == 0) {
    BodySection s;
    s.peek = u.rfind("BODY.PEEK[", 0) == 0;
    MJ_TRY(parseSection(atom, s));
    p.sections.push_back(std::move(s));
  } else {
    return Error::make(ErrorCode::kMalformed, "Unknown FETCH item " + atom);
  }
  return {};
}

// Unfolded header lines of a header block, each with its CRLF and continuation lines.
std::vector<std::string_view> headerFields(std::string_view block) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < block.size()) {
    size_t end = i;
    do {
      size_t nl = block.find('\n', end);
      end = nl == std::string_view::npos ? block.size() : nl + 1;
    } while (end < block.size() && (block[end] == ' ' || block[end] == '\t'));
    std::string_view line = block.substr(i, end - i);
    if (line == "\r\n" || line == "\n") break;
    out.push_back(line);
    i = end;
  }
  return out;
}

}  // namespace

bool FetchPlan::setsSeen() const {
  return std::any_of(sections.begin(), sections.end(), [](auto& s) { return !s.peek; });
}

bool FetchPlan::needsParts() const {
  return bodystructure || body || std::any_of(sections.begin(), sections.end(), [](auto& s) {
           return !s.part.empty() || !s.text.empty();
         });
}

std::optional<mime::MessageStructure> structureFromCache(
    const std::optional<std::string>& envelope_json, const std::optional<std::string>& parts_json,
    bool need_envelope, bool need_parts) {
  mime::MessageStructure out;
  if (need_envelope) {
    if (!envelope_json) return std::nullopt;
    auto e = mime::envelopeFromJson(*envelope_json);
    if (!e) return std::nullopt;
    out.envelope = std::move(*e);
  }
  if (need_parts) {
    if (!parts_json) return std::nullopt;
    auto p = mime::partFromJson(*parts_json);
    if (!p) return std::nullopt;
    out.root = std::move(*p);
  }
  return out;
}

Result<FetchPlan> parseFetchItems(const Token& items) {
  FetchPlan p;
  if (items.kind == Token::Kind::kAtom) {
    std::string u = upper(items.text);
    // RFC 9051 §6.4.5 macros.
    if (u == "ALL" || u == "FAST" || u == "FULL") {
      p.flags = p.internal_date = p.size = true;
      p.envelope = u != "FAST";
      p.body = u == "FULL";
      return p;
    }
    MJ_TRY(addItem(items.text, p));
    return p;
  }
  if (items.kind != Token::Kind::kList || items.items.empty())
    return Error::make(ErrorCode::kMalformed, "FETCH needs data items");
  for (const auto& t : items.items) {
    if (t.kind != Token::Kind::kAtom) return Error::make(ErrorCode::kMalformed, "Bad FETCH item");
    MJ_TRY(addItem(t.text, p));
  }
  return p;
}

std::string extractSection(std::string_view message, const mime::MessageStructure& structure,
                           const BodySection& s) {
  const mime::MimePart* p = &structure.root;
  for (size_t i = 0; i < s.part.size(); ++i) {
    // RFC 9051 §6.4.5: inside a message/rfc822 part, numbers address the encapsulated body.
    if (i > 0 && p->rfc822() && !p->children.empty()) p = &p->children[0];
    if (p->multipart()) {
      if (s.part[i] > p->children.size()) return "";
      p = &p->children[s.part[i] - 1];
    } else if (s.part[i] != 1) {
      return "";
    }
  }
  auto slice = [&](size_t a, size_t b) {
    a = std::min(a, message.size());
    b = std::min(std::max(a, b), message.size());
    return std::string(message.substr(a, b - a));
  };
  // The message whose HEADER/TEXT is meant: the top one, or an encapsulated message/rfc822.
  const mime::MimePart* msg = &structure.root;
  if (!s.part.empty()) msg = p->rfc822() && !p->children.empty() ? &p->children[0] : nullptr;
  if (s.text.empty()) {
    if (s.part.empty()) return std::string(message);
    return slice(p->body_begin, p->body_end);
  }
  if (s.text == "MIME") return slice(p->header_begin, p->body_begin);
  if (!msg) return "";
  if (s.text == "TEXT")
    return slice(msg->body_begin, s.part.empty() ? message.size() : p->body_end);
  std::string header = slice(msg->header_begin, msg->body_begin);
  if (s.text == "HEADER") return header;
  // HEADER.FIELDS[.NOT]: the matching fields, then the blank line (RFC 9051 §6.4.5).
  const bool negate = s.text == "HEADER.FIELDS.NOT";
  std::string out;
  for (auto line : headerFields(header)) {
    auto colon = line.find(':');
    std::string_view name = line.substr(0, colon == std::string_view::npos ? 0 : colon);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    bool listed = std::any_of(s.fields.begin(), s.fields.end(), [&](const std::string& f) {
      return f.size() == name.size() && strncasecmp(f.data(), name.data(), f.size()) == 0;
    });
    if (listed != negate && !name.empty()) out.append(line);
  }
  return out + "\r\n";
}

}  // namespace mailjuke::imap
