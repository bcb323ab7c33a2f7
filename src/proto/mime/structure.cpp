#include "proto/mime/structure.h"

#include <gmime/gmime.h>

#include <mutex>

namespace mailjuke::mime {
namespace {

void initOnce() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

template <class T>
struct GUnref {
  void operator()(T* p) const {
    if (p) g_object_unref(p);
  }
};
template <class T>
using GPtr = std::unique_ptr<T, GUnref<T>>;

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c + 32);
  return out;
}

// A header value as the envelope wants it: unfolded (RFC 5322 §2.2.3), trimmed, not decoded.
std::string unfoldTrim(const char* raw) {
  std::string out;
  for (const char* p = raw; *p; ++p)
    if (*p != '\r' && *p != '\n') out.push_back(*p);
  size_t a = out.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  size_t b = out.find_last_not_of(" \t");
  return out.substr(a, b - a + 1);
}

GMimeHeader* findHeader(GMimeObject* obj, const char* name) {
  GMimeHeaderList* list = g_mime_object_get_header_list(obj);
  return list ? g_mime_header_list_get_header(list, name) : nullptr;
}

std::optional<std::string> rawHeader(GMimeObject* obj, const char* name) {
  GMimeHeader* h = findHeader(obj, name);
  if (!h) return std::nullopt;
  const char* raw = g_mime_header_get_raw_value(h);
  if (!raw) return std::nullopt;
  return unfoldTrim(raw);
}

bool ascii(const char* s) {
  for (; *s; ++s)
    if (static_cast<unsigned char>(*s) >= 0x80) return false;
  return true;
}

void addAddresses(InternetAddressList* list, std::vector<MimeAddress>& out) {
  int n = internet_address_list_length(list);
  for (int i = 0; i < n; ++i) {
    InternetAddress* ia = internet_address_list_get_address(list, i);
    const char* name = internet_address_get_name(ia);
    std::string display;
    if (name && *name) {
      if (ascii(name)) {
        display = name;
      } else {
        char* encoded = g_mime_utils_header_encode_phrase(nullptr, name, "utf-8");
        display = encoded ? encoded : name;
        g_free(encoded);
      }
    }
    if (INTERNET_ADDRESS_IS_GROUP(ia)) {
      out.push_back({"", display, "", MimeAddress::Kind::kGroupStart});
      addAddresses(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)), out);
      out.push_back({"", "", "", MimeAddress::Kind::kGroupEnd});
      continue;
    }
    const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
    std::string a = addr ? addr : "";
    auto at = a.rfind('@');
    MimeAddress m;
    m.name = display;
    m.mailbox = at == std::string::npos ? a : a.substr(0, at);
    m.host = at == std::string::npos ? "" : a.substr(at + 1);
    out.push_back(std::move(m));
  }
}

std::vector<MimeAddress> addressesOf(GMimeObject* obj, const char* name) {
  std::vector<MimeAddress> out;
  auto raw = rawHeader(obj, name);
  if (!raw || raw->empty()) return out;
  GPtr<InternetAddressList> list(internet_address_list_parse(nullptr, raw->c_str()));
  if (list) addAddresses(list.get(), out);
  return out;
}

Envelope envelopeOf(GMimeMessage* message) {
  auto* obj = GMIME_OBJECT(message);
  Envelope e;
  e.date = rawHeader(obj, "Date");
  e.subject = rawHeader(obj, "Subject");
  e.in_reply_to = rawHeader(obj, "In-Reply-To");
  e.message_id = rawHeader(obj, "Message-ID");
  e.from = addressesOf(obj, "From");
  e.sender = addressesOf(obj, "Sender");
  e.reply_to = addressesOf(obj, "Reply-To");
  e.to = addressesOf(obj, "To");
  e.cc = addressesOf(obj, "Cc");
  e.bcc = addressesOf(obj, "Bcc");
  // RFC 9051 §7.5.2: an absent Sender or Reply-To is given the From value.
  if (e.sender.empty()) e.sender = e.from;
  if (e.reply_to.empty()) e.reply_to = e.from;
  return e;
}

Params paramsOf(GMimeParamList* list) {
  Params out;
  if (!list) return out;
  int n = g_mime_param_list_length(list);
  for (int i = 0; i < n; ++i) {
    GMimeParam* p = g_mime_param_list_get_parameter_at(list, i);
    const char* name = g_mime_param_get_name(p);
    const char* value = g_mime_param_get_value(p);
    out.emplace_back(lower(name ? name : ""), value ? value : "");
  }
  return out;
}

class Walker {
 public:
  explicit Walker(std::string_view message) : m_(message) {}

  // The first octet after the empty line that ends the header starting at `from`.
  size_t headerEnd(size_t from) const {
    size_t pos = from;
    while (pos < m_.size()) {
      size_t eol = m_.find('\n', pos);
      if (eol == std::string_view::npos) return m_.size();
      std::string_view line = m_.substr(pos, eol - pos);
      if (line.empty() || line == "\r") return eol + 1;
      pos = eol + 1;
    }
    return m_.size();
  }

  size_t lines(size_t a, size_t b) const {
    size_t n = 0;
    for (size_t i = a; i < b && i < m_.size(); ++i) n += m_[i] == '\n';
    if (b > a && b <= m_.size() && m_[b - 1] != '\n') ++n;
    return n;
  }

  // Where the object's own header starts: the smallest header offset GMime recorded.
  size_t headerBegin(GMimeObject* obj, size_t fallback) const {
    GMimeHeaderList* list = g_mime_object_get_header_list(obj);
    int n = list ? g_mime_header_list_get_count(list) : 0;
    gint64 best = -1;
    for (int i = 0; i < n; ++i) {
      gint64 off = g_mime_header_get_offset(g_mime_header_list_get_header_at(list, i));
      if (off >= 0 && (best < 0 || off < best)) best = off;
    }
    return best < 0 ? fallback : std::min(size_t(best), m_.size());
  }

  MimePart part(GMimeObject* obj, size_t header_begin) const {
    MimePart p;
    p.header_begin = header_begin;
    p.body_begin = headerEnd(header_begin);
    p.body_end = m_.size();
    if (GMimeContentType* ct = g_mime_object_get_content_type(obj)) {
      const char* type = g_mime_content_type_get_media_type(ct);
      const char* sub = g_mime_content_type_get_media_subtype(ct);
      if (type && *type) p.type = lower(type);
      if (sub && *sub) p.subtype = lower(sub);
      p.params = paramsOf(g_mime_content_type_get_parameters(ct));
    }
    if (const char* id = g_mime_object_get_content_id(obj)) p.id = "<" + std::string(id) + ">";
    p.description = rawHeader(obj, "Content-Description");
    p.md5 = rawHeader(obj, "Content-MD5");
    p.location = rawHeader(obj, "Content-Location");
    if (auto lang = rawHeader(obj, "Content-Language")) {
      size_t start = 0;
      while (start < lang->size()) {
        size_t comma = lang->find(',', start);
        if (comma == std::string::npos) comma = lang->size();
        auto item = unfoldTrim(lang->substr(start, comma - start).c_str());
        if (!item.empty()) p.languages.push_back(item);
        start = comma + 1;
      }
    }
    if (auto enc = rawHeader(obj, "Content-Transfer-Encoding"); enc && !enc->empty())
      p.encoding = lower(*enc);
    if (GMimeContentDisposition* d = g_mime_object_get_content_disposition(obj)) {
      if (const char* kind = g_mime_content_disposition_get_disposition(d))
        p.disposition = lower(kind);
      p.disposition_params = paramsOf(g_mime_content_disposition_get_parameters(d));
    }

    if (GMIME_IS_MULTIPART(obj)) {
      auto* mp = GMIME_MULTIPART(obj);
      int n = g_mime_multipart_get_count(mp);
      for (int i = 0; i < n; ++i) {
        GMimeObject* child = g_mime_multipart_get_part(mp, i);
        size_t begin = headerBegin(child, p.body_begin);
        p.children.push_back(part(child, begin));
      }
      if (!p.children.empty()) p.body_end = p.children.back().body_end;
    } else if (GMIME_IS_MESSAGE_PART(obj)) {
      GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
      if (inner) {
        p.envelope = std::make_unique<Envelope>(envelopeOf(inner));
        size_t begin = p.body_begin;
        if (GMimeObject* root = g_mime_message_get_mime_part(inner)) {
          MimePart child = part(root, headerBegin(GMIME_OBJECT(inner), begin));
          p.body_end = child.body_end;
          p.children.push_back(std::move(child));
        }
      }
    } else if (GMIME_IS_PART(obj)) {
      if (GMimeDataWrapper* content = g_mime_part_get_content(GMIME_PART(obj))) {
        GMimeStream* s = g_mime_data_wrapper_get_stream(content);
        if (s && s->bound_start >= 0 && size_t(s->bound_start) <= m_.size()) {
          p.body_begin = size_t(s->bound_start);
          p.body_end = s->bound_end < 0 ? m_.size() : std::min(size_t(s->bound_end), m_.size());
        }
      }
    }
    if (p.body_end < p.body_begin) p.body_end = p.body_begin;
    p.lines = lines(p.body_begin, p.body_end);
    return p;
  }

 private:
  std::string_view m_;
};

}  // namespace

Result<MessageStructure> parseStructure(std::string_view message) {
  if (message.empty()) return Error::make(ErrorCode::kInvalid, "empty message");
  initOnce();
  GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(message.data(), message.size()));
  GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  g_mime_parser_set_persist_stream(parser.get(), TRUE);
  g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
  GPtr<GMimeMessage> parsed(g_mime_parser_construct_message(parser.get(), nullptr));
  MessageStructure out;
  Walker walker(message);
  // No parsable header at all: an empty envelope and one text/plain body, as clients show it.
  if (parsed) out.envelope = envelopeOf(parsed.get());
  if (GMimeObject* root = parsed ? g_mime_message_get_mime_part(parsed.get()) : nullptr) {
    out.root = walker.part(root, 0);
  } else {
    out.root.body_begin = walker.headerEnd(0);
    out.root.body_end = message.size();
    out.root.lines = walker.lines(out.root.body_begin, out.root.body_end);
  }
  out.root.header_begin = 0;
  return out;
}

}  // namespace mailjuke::mime
