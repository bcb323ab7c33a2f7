// Fuzzes the SMTP session state machine (server/smtp/smtp_session.h) with a fake backend. The
// first byte picks the listener kind, TLS state and backend answers; the rest is fed in chunks
// whose sizes come from the input, so pipelining and split lines are exercised. Invariants:
// every reply line is "ddd" + (" " | "-") + text + CRLF, and nothing is written after close.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "server/smtp/fake_backend.h"
#include "server/smtp/smtp_session.h"

namespace {
void checkReplies(const std::string& out) {
  size_t pos = 0;
  while (pos < out.size()) {
    size_t end = out.find("\r\n", pos);
    if (end == std::string::npos || end - pos < 3) std::abort();
    for (size_t i = pos; i < pos + 3; ++i)
      if (out[i] < '0' || out[i] > '9') std::abort();
    if (end - pos > 3 && out[pos + 3] != ' ' && out[pos + 3] != '-') std::abort();
    pos = end + 2;
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mailjuke::smtp;
  if (size == 0) return 0;
  uint8_t cfg = data[0];
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  testing::FakeBackend be;
  be.limit_reached = cfg & 0x08;
  be.fail_deliver = cfg & 0x10;
  be.throw_on_deliver = (cfg & 0x60) == 0x60;
  SessionOptions o;
  o.kind = static_cast<ListenerKind>((cfg & 0x03) % 3);
  o.tls_active = o.kind == ListenerKind::kSubmissions;
  o.plaintext_auth_ok = cfg & 0x04;
  o.max_message_bytes = 2048;
  o.max_recipients = 5;
  SmtpSession s(o, be);
  s.greet();
  bool stopping = false;
  size_t chunk = 1 + (cfg >> 4);
  while (true) {
    auto step = s.process(stopping);
    if (step == SmtpSession::Step::kBlocking) {
      s.runBlocking();
      continue;
    }
    if (step == SmtpSession::Step::kStartTls) {
      s.tlsEstablished();
      continue;
    }
    checkReplies(s.takeOutput());
    if (step == SmtpSession::Step::kClose) {
      s.feed("NOOP\r\n");
      if (s.process() != SmtpSession::Step::kClose || !s.output().empty()) std::abort();
      break;
    }
    if (in.empty()) {
      if (cfg & 0x80) {
        s.timedOut();
        checkReplies(s.takeOutput());
      }
      break;
    }
    size_t n = std::min(in.size(), chunk);
    s.feed(in.substr(0, n));
    in.remove_prefix(n);
    chunk = chunk * 3 % 997 + 1;
    if (in.size() == 1 && (cfg & 0x40)) stopping = true;
  }
  return 0;
}
