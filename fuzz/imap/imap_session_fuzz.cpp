// Fuzzes the IMAP session state machine (server/imap/imap_session.h) with an in-memory backend
// holding a plain and a multipart message. The first byte picks TLS, the plaintext-login flag
// and the chunk sizes; the rest is fed in chunks, so pipelining, literals and split lines are
// exercised. Invariants: every response line starts with "* ", "+ " or a tag and ends in CRLF
// (literals are skipped by their announced size), and nothing is written after close.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "server/imap/fake_backend.h"
#include "server/imap/imap_session.h"

namespace {
void checkResponses(const std::string& out) {
  size_t pos = 0;
  while (pos < out.size()) {
    size_t end = out.find("\r\n", pos);
    if (end == std::string::npos || end == pos) std::abort();
    // A line ending in a literal "{N}" is followed by N raw octets, then the line goes on.
    while (end > pos && out[end - 1] == '}') {
      size_t open = out.rfind('{', end);
      if (open == std::string::npos || open < pos) break;
      size_t n = std::strtoull(out.c_str() + open + 1, nullptr, 10);
      size_t next = end + 2 + n;
      if (next > out.size()) std::abort();
      end = out.find("\r\n", next);
      if (end == std::string::npos) std::abort();
    }
    pos = end + 2;
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mailjuke::imap;
  if (size == 0) return 0;
  uint8_t cfg = data[0];
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  testing::FakeBackend be;
  be.add("f_inbox", "From: a@b.test\r\nSubject: hi\r\n\r\nbody\r\n");
  be.add("f_inbox",
         "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\none\r\n--x\r\n"
         "Content-Type: message/rfc822\r\n\r\nSubject: in\r\n\r\ninner\r\n--x--\r\n",
         {"\\Seen"});
  SessionOptions o;
  o.tls_active = cfg & 0x01;
  o.plaintext_auth_ok = cfg & 0x02;
  o.limits.max_line = 4096;
  o.limits.max_literal = 8192;
  o.limits.max_command = 16384;
  ImapSession s(o, be);
  s.greet();
  bool stopping = false;
  size_t chunk = 1 + (cfg >> 4);
  while (true) {
    auto step = s.process(stopping);
    if (step == ImapSession::Step::kBlocking) {
      s.runBlocking();
      continue;
    }
    if (step == ImapSession::Step::kStartTls) {
      s.tlsEstablished();
      continue;
    }
    checkResponses(s.takeOutput());
    if (step == ImapSession::Step::kClose) {
      s.feed("a NOOP\r\n");
      if (s.process() != ImapSession::Step::kClose || !s.output().empty()) std::abort();
      break;
    }
    if (in.empty()) {
      if (cfg & 0x04) {
        s.timedOut();
        checkResponses(s.takeOutput());
      }
      break;
    }
    size_t n = std::min(in.size(), chunk);
    s.feed(in.substr(0, n));
    in.remove_prefix(n);
    chunk = chunk * 3 % 997 + 1;
    if (in.size() == 1 && (cfg & 0x08)) stopping = true;
  }
  return 0;
}
