#include "proto/imap/structure_writer.h"

#include "proto/imap/writer.h"

namespace mailjuke::imap {
namespace {

std::string upper(std::string s) {
  for (auto& c : s)
    if (c >= 'a' && c <= 'z') c = char(c - 32);
  return s;
}

void addresses(std::string& out, const std::vector<mime::MimeAddress>& list, bool utf8) {
  if (list.empty()) {
    out += "NIL";
    return;
  }
  out += '(';
  for (const auto& a : list) {
    using Kind = mime::MimeAddress::Kind;
    if (a.kind == Kind::kGroupEnd) {
      out += "(NIL NIL NIL NIL)";
      continue;
    }
    if (a.kind == Kind::kGroupStart) {
      out += "(NIL NIL ";
      appendString(out, a.mailbox, utf8);
      out += " NIL)";
      continue;
    }
    out += '(';
    if (a.name.empty())
      out += "NIL";
    else
      appendString(out, a.name, utf8);
    out += " NIL ";
    appendString(out, a.mailbox, utf8);
    out += ' ';
    if (a.host.empty())
      out += "NIL";
    else
      appendString(out, a.host, utf8);
    out += ')';
  }
  out += ')';
}

void params(std::string& out, const mime::Params& ps, bool utf8) {
  if (ps.empty()) {
    out += "NIL";
    return;
  }
  out += '(';
  for (size_t i = 0; i < ps.size(); ++i) {
    if (i) out += ' ';
    appendString(out, upper(ps[i].first), utf8);
    out += ' ';
    appendString(out, ps[i].second, utf8);
  }
  out += ')';
}

// body-fld-dsp SP body-fld-lang SP body-fld-loc (RFC 9051 §9), after md5 or params.
void extensions(std::string& out, const mime::MimePart& p, bool utf8) {
  out += ' ';
  if (p.disposition) {
    out += '(';
    appendString(out, upper(*p.disposition), utf8);
    out += ' ';
    params(out, p.disposition_params, utf8);
    out += ')';
  } else {
    out += "NIL";
  }
  out += ' ';
  if (p.languages.empty()) {
    out += "NIL";
  } else {
    out += '(';
    for (size_t i = 0; i < p.languages.size(); ++i) {
      if (i) out += ' ';
      appendString(out, p.languages[i], utf8);
    }
    out += ')';
  }
  out += ' ';
  appendNString(out, p.location, utf8);
}

void body(std::string& out, const mime::MimePart& p, bool ext, bool utf8) {
  if (p.multipart()) {
    out += '(';
    if (p.children.empty()) {
      out += "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 0 0)";  // body-type-mpart needs 1*body
    } else {
      for (const auto& c : p.children) body(out, c, ext, utf8);
    }
    out += ' ';
    appendString(out, upper(p.subtype), utf8);
    if (ext) {
      out += ' ';
      params(out, p.params, utf8);
      extensions(out, p, utf8);
    }
    out += ')';
    return;
  }
  out += '(';
  appendString(out, upper(p.type), utf8);
  out += ' ';
  appendString(out, upper(p.subtype), utf8);
  out += ' ';
  params(out, p.params, utf8);
  out += ' ';
  appendNString(out, p.id, utf8);
  out += ' ';
  appendNString(out, p.description, utf8);
  out += ' ';
  appendString(out, upper(p.encoding), utf8);
  out += ' ' + std::to_string(p.body_end - p.body_begin);
  if (p.rfc822() && p.envelope && !p.children.empty()) {
    out += ' ' + renderEnvelope(*p.envelope, utf8) + ' ';
    body(out, p.children.front(), ext, utf8);
    out += ' ' + std::to_string(p.lines);
  } else if (p.type == "text") {
    out += ' ' + std::to_string(p.lines);
  }
  if (ext) {
    out += ' ';
    appendNString(out, p.md5, utf8);
    extensions(out, p, utf8);
  }
  out += ')';
}

}  // namespace

std::string renderEnvelope(const mime::Envelope& e, bool utf8) {
  std::string out = "(";
  appendNString(out, e.date, utf8);
  out += ' ';
  appendNString(out, e.subject, utf8);
  for (const auto* list : {&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc}) {
    out += ' ';
    addresses(out, *list, utf8);
  }
  out += ' ';
  appendNString(out, e.in_reply_to, utf8);
  out += ' ';
  appendNString(out, e.message_id, utf8);
  out += ')';
  return out;
}

std::string renderBody(const mime::MimePart& part, bool extensible, bool utf8) {
  std::string out;
  body(out, part, extensible, utf8);
  return out;
}

}  // namespace mailjuke::imap
