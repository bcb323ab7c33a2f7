// Builds a platform e-mail from arbitrary fields (NUL-separated: subject, text, html, from name,
// extra header name, extra header value) and checks what every receiver relies on: CRLF line
// ends only, lines ≤ 998 octets, 7-bit, one header section, and a MIME structure GMime reads as
// multipart/alternative with two parts. Also feeds the input to platformSender (config value).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/mail/outbox_sender.h"
#include "core/notify/email_message.h"
#include "proto/mime/structure.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mailjuke;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> f;
  size_t start = 0;
  while (f.size() < 6) {
    size_t nul = in.find('\0', start);
    f.emplace_back(
        in.substr(start, nul == std::string_view::npos ? in.size() - start : nul - start));
    if (nul == std::string_view::npos) break;
    start = nul + 1;
  }
  f.resize(6);
  (void)core::platformSender(f[0], "MailJuke", f[1], "mail.mailjuke.test");
  core::EmailParts p;
  p.subject = f[0];
  p.text = f[1];
  p.html = f[2];
  p.from_name = f[3];
  p.from_address = "no-reply@mailjuke.test";
  p.to = "user@example.com";
  p.headers = {{f[4], f[5]}};
  p.date = 1764547200;
  p.message_id = "eml_fuzz@mailjuke.test";
  std::string m = core::buildEmailMessage(p);
  size_t line = 0;
  for (size_t i = 0; i < m.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(m[i]);
    if (c >= 0x80 || c == 0) abort();
    if (c == '\r' && (i + 1 >= m.size() || m[i + 1] != '\n')) abort();
    if (c == '\n' && (i == 0 || m[i - 1] != '\r')) abort();
    if (c == '\n') {
      line = 0;
    } else if (c != '\r' && ++line > 998) {
      abort();
    }
  }
  size_t split = m.find("\r\n\r\n");
  if (split == std::string::npos) abort();
  // Only the builder's own fields and at most the one extra field: no injected header lines.
  size_t fields = 0;
  for (size_t i = 0; i < split; i = m.find("\r\n", i) + 2)
    if (m[i] != ' ' && m[i] != '\t') ++fields;
  if (fields > 9) abort();
  auto s = mime::parseStructure(m);
  if (!s.ok() || s->root.children.size() != 2) abort();
  return 0;
}
