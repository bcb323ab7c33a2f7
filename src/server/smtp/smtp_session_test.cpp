#include "server/smtp/smtp_session.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "server/smtp/fake_backend.h"

namespace mailjuke::smtp {
namespace {
using Step = SmtpSession::Step;

struct Harness {
  testing::FakeBackend be;
  SmtpSession s;
  Step last = Step::kNeedInput;
  int starttls = 0;
  bool stopping = false;

  explicit Harness(ListenerKind kind, SessionOptions o = {}) : s(opts(kind, o), be) {
    s.greet();
    s.takeOutput();
  }
  static SessionOptions opts(ListenerKind kind, SessionOptions o) {
    o.kind = kind;
    o.hostname = "mx.test";
    o.client_ip = "192.0.2.1";
    if (o.max_message_bytes == 25 * 1024 * 1024) o.max_message_bytes = 1000;
    return o;
  }
  // Feeds `in`, runs the session like the driver would, returns the replies written.
  std::string send(std::string_view in) {
    s.feed(in);
    for (;;) {
      last = s.process(stopping);
      if (last == Step::kBlocking) {
        s.runBlocking();
      } else if (last == Step::kStartTls) {
        ++starttls;
        s.tlsEstablished();
      } else {
        return s.takeOutput();
      }
    }
  }
  void ehlo() { send("EHLO client.test\r\n"); }
  void tlsAndAuth() {
    send("STARTTLS\r\n");
    ehlo();
    ASSERT_EQ(
        send("AUTH PLAIN " + base64Encode(std::string("\0user@hosted.test\0secret", 24)) + "\r\n"),
        "235 2.7.0 Authentication successful\r\n");
  }
};

bool has(const std::string& out, std::string_view what) {
  return out.find(what) != std::string::npos;
}

TEST(SmtpSession, GreetingAndEhloOnMx) {
  testing::FakeBackend be;
  SmtpSession s({ListenerKind::kMx, "mx.test"}, be);
  s.greet();
  EXPECT_EQ(s.takeOutput(), "220 mx.test ESMTP MailJuke\r\n");
  Harness h(ListenerKind::kMx);
  auto out = h.send("EHLO client.test\r\n");
  EXPECT_EQ(out.rfind("250-mx.test\r\n", 0), 0u) << out;
  for (auto ext : {"PIPELINING", "SIZE 1000", "8BITMIME", "ENHANCEDSTATUSCODES", "STARTTLS"})
    EXPECT_TRUE(has(out, std::string("250-") + ext + "\r\n")) << ext;
  EXPECT_TRUE(has(out, "250 SMTPUTF8\r\n"));
  EXPECT_FALSE(has(out, "AUTH"));
  EXPECT_EQ(h.send("HELO client.test\r\n"), "250 mx.test\r\n");
  EXPECT_TRUE(has(h.send("AUTH PLAIN AGEAYg==\r\n"), "503 5.5.1"));
}

TEST(SmtpSession, PipelinedMxTransactionInOneChunk) {
  Harness h(ListenerKind::kMx);
  auto out = h.send(
      "EHLO client.test\r\nMAIL FROM:<a@remote.test> BODY=8BITMIME SIZE=100\r\n"
      "RCPT TO:<user@hosted.test>\r\nRCPT TO:<other@hosted.test>\r\nDATA\r\n"
      "Subject: hi\r\n\r\n..dot\r\nbody\r\n.\r\nQUIT\r\n");
  EXPECT_TRUE(has(out, "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 ")) << out;
  EXPECT_TRUE(has(out, "250 2.0.0 Ok: queued as Q1\r\n221 2.0.0 Bye\r\n")) << out;
  EXPECT_EQ(h.last, Step::kClose);
  ASSERT_EQ(h.be.deliveries.size(), 1u);
  auto& d = h.be.deliveries[0];
  EXPECT_FALSE(d.submitted);
  EXPECT_EQ(d.message, "Subject: hi\r\n\r\n.dot\r\nbody\r\n");
  EXPECT_EQ(d.envelope.mail_from, "a@remote.test");
  EXPECT_EQ(d.envelope.rcpt_to,
            (std::vector<std::string>{"user@hosted.test", "other@hosted.test"}));
  EXPECT_EQ(d.envelope.helo, "client.test");
  EXPECT_EQ(d.envelope.client_ip, "192.0.2.1");
  EXPECT_FALSE(d.envelope.tls);
  EXPECT_EQ(d.envelope.account, nullptr);
}

TEST(SmtpSession, MxRecipientPolicyAndNoValidRecipients) {
  Harness h(ListenerKind::kMx);
  h.ehlo();
  h.send("MAIL FROM:<>\r\n");
  EXPECT_TRUE(has(h.send("RCPT TO:<nobody@hosted.test>\r\n"), "550 5.1.1"));
  EXPECT_TRUE(has(h.send("RCPT TO:<x@elsewhere.test>\r\n"), "554 5.7.1 <x@elsewhere.test>: Relay"));
  EXPECT_TRUE(has(h.send("DATA\r\n"), "554 5.5.1"));
}

// RFC 5321 §4.5.3.1.10: a full mailbox is refused at RCPT with 452 4.2.2, for itself only; the
// other recipients of the transaction still get the message.
TEST(SmtpSession, FullMailboxRefusedPerRecipient) {
  Harness h(ListenerKind::kMx);
  h.be.full = {"user@hosted.test"};
  auto out = h.send(
      "EHLO client.test\r\nMAIL FROM:<a@remote.test>\r\n"
      "RCPT TO:<user@hosted.test>\r\nRCPT TO:<other@hosted.test>\r\nDATA\r\n"
      "Subject: hi\r\n\r\nbody\r\n.\r\n");
  EXPECT_TRUE(has(out,
                  "250 2.1.0 Ok\r\n452 4.2.2 <user@hosted.test>: Mailbox full, try again "
                  "later\r\n250 2.1.5 Ok\r\n354 "))
      << out;
  EXPECT_TRUE(has(out, "250 2.0.0 Ok: queued as Q1\r\n")) << out;
  ASSERT_EQ(h.be.deliveries.size(), 1u);
  EXPECT_EQ(h.be.deliveries[0].envelope.rcpt_to, (std::vector<std::string>{"other@hosted.test"}));

  // The declared SIZE counts: a message that would not fit is refused up front.
  h.be.full.clear();
  h.be.room = 500;
  out = h.send("MAIL FROM:<a@remote.test> SIZE=600\r\nRCPT TO:<user@hosted.test>\r\n");
  EXPECT_TRUE(has(out, "452 4.2.2 <user@hosted.test>")) << out;
  EXPECT_TRUE(
      has(h.send("RSET\r\nMAIL FROM:<a@remote.test> SIZE=400\r\nRCPT TO:<user@hosted.test>\r\n"),
          "250 2.1.5 Ok"));
  // SIZE is per transaction: the next MAIL without one does not inherit it.
  EXPECT_TRUE(has(h.send("RSET\r\nMAIL FROM:<a@remote.test>\r\nRCPT TO:<user@hosted.test>\r\n"),
                  "250 2.1.5 Ok"));
  // Every recipient full: no valid recipient, DATA refused as usual.
  h.be.full = {"user@hosted.test", "other@hosted.test"};
  h.send("RSET\r\nMAIL FROM:<a@remote.test>\r\n");
  EXPECT_TRUE(has(h.send("RCPT TO:<other@hosted.test>\r\n"), "452 4.2.2"));
  EXPECT_TRUE(has(h.send("DATA\r\n"), "554 5.5.1"));
  // The check failing is a temporary error for that recipient; unknown hosted ones still get 550.
  h.be.fail_quota = true;
  h.send("RSET\r\nMAIL FROM:<a@remote.test>\r\n");
  EXPECT_TRUE(has(h.send("RCPT TO:<other@hosted.test>\r\n"), "451 4.3.0"));
  EXPECT_TRUE(has(h.send("RCPT TO:<nobody@hosted.test>\r\n"), "550 5.1.1"));
  EXPECT_EQ(h.send("NOOP\r\n"), "250 2.0.0 Ok\r\n");
}

TEST(SmtpSession, BadSequencesAndSyntax) {
  Harness h(ListenerKind::kMx, SessionOptions{.max_errors = 50});
  EXPECT_TRUE(has(h.send("MAIL FROM:<a@b.test>\r\n"), "503 5.5.1"));
  h.ehlo();
  EXPECT_TRUE(has(h.send("RCPT TO:<user@hosted.test>\r\n"), "503 5.5.1"));
  EXPECT_TRUE(has(h.send("DATA\r\n"), "503 5.5.1"));
  EXPECT_TRUE(has(h.send("MAIL FROM:a@b.test\r\n"), "501 5.5.4"));
  EXPECT_TRUE(has(h.send("MAIL FROM:<a@b.test> FOO=1\r\n"), "555 5.5.4"));
  EXPECT_TRUE(has(h.send("MAIL FROM:<a@b.test> BODY=BINARYMIME\r\n"), "501 5.5.4"));
  EXPECT_TRUE(has(h.send("MAIL FROM:<a@b.test>\r\n"), "250 2.1.0"));
  EXPECT_TRUE(has(h.send("MAIL FROM:<a@b.test>\r\n"), "503 5.5.1"));
  EXPECT_TRUE(has(h.send("RCPT TO:<user@hosted.test> NOTIFY=NEVER\r\n"), "555 5.5.4"));
  EXPECT_TRUE(has(h.send("GARBAGE\r\n"), "500 5.5.2"));
  EXPECT_TRUE(has(h.send(std::string("NO\0OP\r\n", 7)), "500 5.5.2"));
  EXPECT_TRUE(has(h.send("EXPN list\r\n"), "502 5.5.1"));
  EXPECT_EQ(h.last, Step::kNeedInput);
}

TEST(SmtpSession, TooManyErrorsCloses) {
  Harness h(ListenerKind::kMx);
  std::string out;
  for (int i = 0; i < 9; ++i) out += h.send("BOGUS\r\n");
  EXPECT_EQ(h.last, Step::kNeedInput);
  out = h.send("BOGUS\r\nNOOP\r\n");
  EXPECT_TRUE(has(out, "421 4.7.0")) << out;
  EXPECT_FALSE(has(out, "250"));
  EXPECT_EQ(h.last, Step::kClose);
}

TEST(SmtpSession, LineTooLongStaysInSync) {
  Harness h(ListenerKind::kMx);
  EXPECT_EQ(h.send("NOOP " + std::string(600, 'a') + "\r\nNOOP\r\n"),
            "500 5.5.6 Error: line too long\r\n250 2.0.0 Ok\r\n");
  // Sent in pieces with no line end for a long time: the buffer stays bounded.
  for (int i = 0; i < 100; ++i) EXPECT_EQ(h.send(std::string(1000, 'b')), "");
  EXPECT_EQ(h.send("\r\nNOOP\r\n"), "500 5.5.6 Error: line too long\r\n250 2.0.0 Ok\r\n");
}

TEST(SmtpSession, SizeLimits) {
  Harness h(ListenerKind::kMx);
  h.ehlo();
  EXPECT_TRUE(has(h.send("MAIL FROM:<a@b.test> SIZE=2000\r\n"), "552 5.3.4"));
  h.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<user@hosted.test>\r\n");
  EXPECT_TRUE(has(h.send("DATA\r\n"), "354"));
  std::string big;
  for (int i = 0; i < 30; ++i) big += std::string(70, 'x') + "\r\n";
  EXPECT_EQ(h.send(big), "");  // still reading: the reply comes after the terminator
  EXPECT_EQ(h.send(".\r\nNOOP\r\n"),
            "552 5.3.4 Error: message size exceeds fixed limit\r\n250 2.0.0 Ok\r\n");
  EXPECT_TRUE(h.be.deliveries.empty());
}

TEST(SmtpSession, MaxRecipients) {
  SessionOptions o;
  o.max_recipients = 2;
  Harness h(ListenerKind::kMx, o);
  h.ehlo();
  auto out = h.send(
      "MAIL FROM:<a@b.test>\r\nRCPT TO:<user@hosted.test>\r\nRCPT TO:<other@hosted.test>\r\n"
      "RCPT TO:<user@hosted.test>\r\n");
  EXPECT_TRUE(has(out, "452 4.5.3")) << out;
}

TEST(SmtpSession, SubmissionRequiresTlsThenAuth) {
  Harness h(ListenerKind::kSubmission);
  auto out = h.send("EHLO c\r\n");
  EXPECT_TRUE(has(out, "250-STARTTLS"));
  EXPECT_FALSE(has(out, "AUTH"));
  EXPECT_EQ(h.send("AUTH PLAIN AHVAaAB4\r\n"), "530 5.7.0 Must issue a STARTTLS command first\r\n");
  EXPECT_EQ(h.send("MAIL FROM:<user@hosted.test>\r\n"),
            "530 5.7.0 Must issue a STARTTLS command first\r\n");
  // RFC 3207 §4.2: the pipelined MAIL after STARTTLS is discarded, not executed after TLS.
  EXPECT_EQ(h.send("STARTTLS\r\nMAIL FROM:<user@hosted.test>\r\n"),
            "220 2.0.0 Ready to start TLS\r\n");
  EXPECT_EQ(h.starttls, 1);
  EXPECT_TRUE(h.s.tls());
  EXPECT_TRUE(has(h.send("MAIL FROM:<user@hosted.test>\r\n"), "503 5.5.1"));  // EHLO again
  out = h.send("EHLO c\r\n");
  EXPECT_FALSE(has(out, "STARTTLS"));
  EXPECT_TRUE(has(out, "250-AUTH PLAIN LOGIN\r\n"));
  EXPECT_EQ(h.send("MAIL FROM:<user@hosted.test>\r\n"), "530 5.7.0 Authentication required\r\n");
  EXPECT_TRUE(has(h.send("STARTTLS\r\n"), "503 5.5.1"));
}

TEST(SmtpSession, AuthPlainFlows) {
  Harness h(ListenerKind::kSubmission);
  h.send("STARTTLS\r\n");
  h.ehlo();
  auto plain = [](std::string u, std::string p) {
    return base64Encode(std::string(1, '\0') + u + std::string(1, '\0') + p);
  };
  EXPECT_TRUE(has(h.send("AUTH PLAIN " + plain("user@hosted.test", "bad") + "\r\n"), "535 5.7.8"));
  EXPECT_TRUE(has(h.send("AUTH PLAIN " + plain("frozen@hosted.test", "secret") + "\r\n"),
                  "535 5.7.8 Error: authentication refused: the mailbox is suspended"));
  EXPECT_TRUE(has(h.send("AUTH PLAIN =\r\n"), "501 5.5.2"));
  EXPECT_TRUE(has(h.send("AUTH PLAIN !!!\r\n"), "501 5.5.2"));
  EXPECT_TRUE(has(h.send("AUTH CRAM-MD5\r\n"), "504 5.5.4"));
  EXPECT_EQ(h.send("AUTH PLAIN\r\n"), "334 \r\n");
  EXPECT_EQ(h.send("*\r\n"), "501 5.0.0 Authentication cancelled\r\n");
  EXPECT_EQ(h.send("AUTH PLAIN\r\n"), "334 \r\n");
  EXPECT_EQ(h.send(plain("user@hosted.test", "secret") + "\r\n"),
            "235 2.7.0 Authentication successful\r\n");
  ASSERT_NE(h.s.account(), nullptr);
  EXPECT_TRUE(has(h.send("AUTH PLAIN " + plain("user@hosted.test", "secret") + "\r\n"), "503"));
}

TEST(SmtpSession, AuthLoginFlow) {
  Harness h(ListenerKind::kSubmissions, SessionOptions{.tls_active = true});
  h.ehlo();
  EXPECT_EQ(h.send("AUTH LOGIN\r\n"), "334 VXNlcm5hbWU6\r\n");
  EXPECT_EQ(h.send(base64Encode("user@hosted.test") + "\r\n"), "334 UGFzc3dvcmQ6\r\n");
  EXPECT_EQ(h.send("*\r\n"), "501 5.0.0 Authentication cancelled\r\n");
  EXPECT_EQ(h.send("AUTH LOGIN " + base64Encode("user@hosted.test") + "\r\n"),
            "334 UGFzc3dvcmQ6\r\n");
  EXPECT_EQ(h.send(base64Encode("secret") + "\r\n"), "235 2.7.0 Authentication successful\r\n");
}

TEST(SmtpSession, PlaintextAuthOnLoopbackWhenAllowed) {
  Harness h(ListenerKind::kSubmission, SessionOptions{.plaintext_auth_ok = true});
  EXPECT_TRUE(has(h.send("EHLO c\r\n"), "250-AUTH PLAIN LOGIN"));
  EXPECT_TRUE(has(
      h.send("AUTH PLAIN " + base64Encode(std::string("\0user@hosted.test\0secret", 24)) + "\r\n"),
      "235 2.7.0"));
}

TEST(SmtpSession, SubmissionSenderLimitAndSubmit) {
  Harness h(ListenerKind::kSubmission);
  h.tlsAndAuth();
  EXPECT_TRUE(has(h.send("MAIL FROM:<other@hosted.test>\r\n"), "553 5.7.1"));
  h.be.limit_reached = true;
  EXPECT_TRUE(has(h.send("MAIL FROM:<user@hosted.test>\r\n"), "451 4.7.1 Error: the daily"));
  h.be.limit_reached = false;
  // A hosted domain's unknown mailbox is refused at once, on submission too.
  EXPECT_TRUE(
      has(h.send("MAIL FROM:<user@hosted.test>\r\nRCPT TO:<nobody@hosted.test>\r\nRSET\r\n"),
          "550 5.1.1"));
  auto out = h.send(
      "MAIL FROM:<user@hosted.test>\r\nRCPT TO:<anyone@example.org>\r\nDATA\r\n"
      "From: user@hosted.test\r\n\r\nhello\r\n.\r\n");
  EXPECT_TRUE(has(out, "250 2.0.0 Ok: queued as Q1")) << out;
  ASSERT_EQ(h.be.deliveries.size(), 1u);
  EXPECT_TRUE(h.be.deliveries[0].submitted);
  EXPECT_TRUE(h.be.deliveries[0].envelope.tls);
  ASSERT_NE(h.be.deliveries[0].envelope.account, nullptr);
  EXPECT_EQ(h.be.deliveries[0].envelope.account->address(), "user@hosted.test");
}

TEST(SmtpSession, BackendErrorMapping) {
  struct Case {
    ErrorCode code;
    const char* reply;
  };
  for (auto [code, expect] :
       {Case{ErrorCode::kInvalid, "550 5.6.0"}, Case{ErrorCode::kForbidden, "553 5.7.1"},
        Case{ErrorCode::kRateLimited, "451 4.7.1"}, Case{ErrorCode::kInternal, "451 4.3.0"},
        Case{ErrorCode::kPaymentRequired, "452 4.2.2"},
        Case{ErrorCode::kUnavailable, "451 4.3.0"}}) {
    Harness h(ListenerKind::kMx);
    h.be.fail_deliver = true;
    h.be.deliver_error = Error::make(code, "why");
    h.ehlo();
    auto out = h.send("MAIL FROM:<>\r\nRCPT TO:<user@hosted.test>\r\nDATA\r\nx\r\n.\r\nNOOP\r\n");
    EXPECT_TRUE(has(out, std::string(expect))) << out;
    EXPECT_TRUE(has(out, "\r\n250 2.0.0 Ok\r\n"));
  }
  Harness h(ListenerKind::kMx);
  h.be.throw_on_deliver = true;
  h.ehlo();
  auto out = h.send("MAIL FROM:<>\r\nRCPT TO:<user@hosted.test>\r\nDATA\r\nx\r\n.\r\n");
  EXPECT_TRUE(has(out, "451 4.3.0")) << out;
}

TEST(SmtpSession, BareLfNulAndEightBitHeaders) {
  Harness h(ListenerKind::kMx);
  h.ehlo();
  const char* env = "MAIL FROM:<a@b.test>\r\nRCPT TO:<user@hosted.test>\r\nDATA\r\n";
  // A "." line ended by a bare LF is data (SMTP smuggling); bare LFs become CRLF.
  auto out = h.send(std::string(env) + "a\nb\n.\nMAIL FROM:<evil@x.test>\n\r\n.\r\n");
  EXPECT_TRUE(has(out, "queued as Q1")) << out;
  EXPECT_EQ(h.be.deliveries[0].message, "a\r\nb\r\n\r\nMAIL FROM:<evil@x.test>\r\n\r\n");
  out = h.send(std::string(env) + std::string("a\0b\r\n.\r\n", 8));
  EXPECT_TRUE(has(out, "550 5.6.0")) << out;
  out = h.send(std::string(env) + "Subject: caf\xc3\xa9\r\n\r\nx\r\n.\r\n");
  EXPECT_TRUE(has(out, "queued as Q2")) << out;  // MX: accepted as received
  EXPECT_TRUE(has(h.send("MAIL FROM:<caf\xc3\xa9@b.test>\r\n"), "553 5.6.7"));

  Harness sub(ListenerKind::kSubmission);
  sub.tlsAndAuth();
  const char* senv = "MAIL FROM:<user@hosted.test>\r\nRCPT TO:<x@example.org>\r\nDATA\r\n";
  out = sub.send(std::string(senv) + "Subject: caf\xc3\xa9\r\n\r\nx\r\n.\r\n");
  EXPECT_TRUE(has(out, "550 5.6.7")) << out;
  out = sub.send(
      "MAIL FROM:<user@hosted.test> SMTPUTF8\r\nRCPT TO:<jos\xc3\xa9@example.org>\r\nDATA\r\n"
      "Subject: caf\xc3\xa9\r\n\r\nx\r\n.\r\n");
  EXPECT_TRUE(has(out, "queued as Q1")) << out;
  EXPECT_TRUE(sub.be.deliveries[0].envelope.smtputf8);
}

TEST(SmtpSession, SimpleCommands) {
  Harness h(ListenerKind::kMx);
  EXPECT_EQ(h.send("NOOP\r\n"), "250 2.0.0 Ok\r\n");
  EXPECT_EQ(h.send("RSET\r\n"), "250 2.0.0 Ok\r\n");
  EXPECT_TRUE(has(h.send("VRFY user\r\n"), "252 2.5.2"));
  EXPECT_TRUE(has(h.send("HELP\r\n"), "214 2.0.0"));
  EXPECT_EQ(h.send("QUIT\r\nNOOP\r\n"), "221 2.0.0 Bye\r\n");
  EXPECT_EQ(h.last, Step::kClose);
}

TEST(SmtpSession, ShutdownAndTimeout) {
  Harness h(ListenerKind::kMx);
  h.stopping = true;
  EXPECT_TRUE(has(h.send("NOOP\r\n"), "421 4.3.2"));
  EXPECT_EQ(h.last, Step::kClose);
  Harness t(ListenerKind::kMx);
  t.s.timedOut();
  EXPECT_TRUE(has(t.s.takeOutput(), "421 4.4.2 mx.test"));
  EXPECT_EQ(t.s.process(), Step::kClose);
}

}  // namespace
}  // namespace mailjuke::smtp
