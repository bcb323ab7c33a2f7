#include "core/mail/dsn.h"

#include <gtest/gtest.h>

#include "core/mail/mail_test_util.h"
#include "proto/mime/headers.h"

namespace mailjuke::core {
namespace {

// The body parts of a multipart body, split at the boundary (RFC 2046 §5.1.1).
std::vector<std::string> parts(const std::string& body, const std::string& boundary) {
  std::vector<std::string> out;
  std::string delim = "\r\n--" + boundary;
  std::string text = "\r\n" + body;
  size_t pos = text.find(delim);
  while (pos != std::string::npos) {
    size_t start = text.find("\r\n", pos + delim.size());
    if (text.compare(pos + delim.size(), 2, "--") == 0) break;
    size_t next = text.find(delim, start);
    out.push_back(text.substr(start + 2, next - start - 2));
    pos = next;
  }
  return out;
}

std::string val(const mime::ParsedHeaders& h, std::string_view name) {
  auto* f = h.find(name);
  return f ? std::string(f->value) : "<missing " + std::string(name) + ">";
}

DsnInput sampleInput() {
  DsnInput in;
  in.reporting_mta = "mail.mailjuke.test";
  in.original_envelope_from = "alice@hosted.test";
  in.original_message =
      "From: Alice <alice@hosted.test>\r\nTo: bob@remote.test\r\nSubject: Hello\r\n"
      "Message-ID: <orig@hosted.test>\r\n\r\nsecret body\r\n";
  in.arrival_date = 1764547200;
  in.now = 1764550800;
  in.recipients.push_back({"bob@remote.test", failureStatus("550 5.1.1 no such user"),
                           "550 5.1.1 no such user", "mx.remote.test"});
  in.recipients.push_back({"carol@remote.test", failureStatus("550-first\r\n550 second"),
                           "550-first\r\n550 second", ""});
  return in;
}

TEST(DsnTest, FailureStatusFromReply) {
  EXPECT_EQ(failureStatus("550 5.1.1 no such user"), "5.1.1");
  EXPECT_EQ(failureStatus("554-5.7.1 policy\r\n554 5.7.1 more"), "5.7.1");
  EXPECT_EQ(failureStatus("550 mailbox unavailable"), "5.0.0");
  EXPECT_EQ(failureStatus("451 4.4.1 timeout"), "5.4.1");
  EXPECT_EQ(failureStatus("connection refused"), "5.4.7");
}

TEST(DsnTest, MultipartReportStructureParsesBack) {
  DsnInput in = sampleInput();
  std::string dsn = buildDsn(in);
  auto h = mime::parseHeaders(dsn);
  ASSERT_TRUE(h.ok()) << h.error().message;
  ASSERT_TRUE(h->has_body_separator);
  ASSERT_NE(h->find("From"), nullptr);
  EXPECT_EQ(mime::addresses(val(*h, "From")),
            std::vector<std::string>{"MAILER-DAEMON@mail.mailjuke.test"});
  EXPECT_EQ(mime::addresses(val(*h, "To")), std::vector<std::string>{"alice@hosted.test"});
  ASSERT_NE(h->find("Content-Type"), nullptr);
  std::string ct = mime::unfold(val(*h, "Content-Type"));
  EXPECT_NE(ct.find("multipart/report"), std::string::npos);
  EXPECT_NE(ct.find("report-type=delivery-status"), std::string::npos);
  auto b = ct.find("boundary=\"");
  ASSERT_NE(b, std::string::npos);
  std::string boundary = ct.substr(b + 10, ct.find('"', b + 10) - b - 10);
  auto ps = parts(dsn.substr(h->body_offset), boundary);
  ASSERT_EQ(ps.size(), 3u);

  auto p1 = mime::parseHeaders(ps[0]);
  ASSERT_TRUE(p1.ok());
  EXPECT_NE(val(*p1, "Content-Type").find("text/plain"), std::string::npos);

  auto p2 = mime::parseHeaders(ps[1]);
  ASSERT_TRUE(p2.ok());
  EXPECT_NE(val(*p2, "Content-Type").find("message/delivery-status"), std::string::npos);
  // The delivery-status body: per-message fields, then one block per recipient (RFC 3464 §2.1).
  std::string status = ps[1].substr(p2->body_offset);
  auto per_message = mime::parseHeaders(status);
  ASSERT_TRUE(per_message.ok());
  EXPECT_EQ(mime::unfold(val(*per_message, "Reporting-MTA")), " dns; mail.mailjuke.test");
  EXPECT_EQ(mime::unfold(val(*per_message, "Arrival-Date")), " Mon, 01 Dec 2025 00:00:00 +0000");
  std::string rest = status.substr(per_message->body_offset);
  auto r1 = mime::parseHeaders(rest);
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(val(*r1, "Final-Recipient"), " rfc822; bob@remote.test");
  EXPECT_EQ(val(*r1, "Action"), " failed");
  EXPECT_EQ(val(*r1, "Status"), " 5.1.1");
  EXPECT_EQ(val(*r1, "Remote-MTA"), " dns; mx.remote.test");
  EXPECT_EQ(val(*r1, "Diagnostic-Code"), " smtp; 550 5.1.1 no such user");
  std::string second = rest.substr(r1->body_offset);
  auto r2 = mime::parseHeaders(second);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(val(*r2, "Final-Recipient"), " rfc822; carol@remote.test");
  EXPECT_EQ(val(*r2, "Status"), " 5.0.0");
  EXPECT_EQ(val(*r2, "Diagnostic-Code"), " smtp; 550-first 550 second");

  auto p3 = mime::parseHeaders(ps[2]);
  ASSERT_TRUE(p3.ok());
  EXPECT_NE(val(*p3, "Content-Type").find("text/rfc822-headers"), std::string::npos);
  std::string orig = ps[2].substr(p3->body_offset);
  std::string orig_block = orig + "\r\n";
  auto oh = mime::parseHeaders(orig_block);
  ASSERT_TRUE(oh.ok());
  EXPECT_EQ(val(*oh, "Subject"), " Hello");
  EXPECT_EQ(orig.find("secret body"), std::string::npos);  // headers only
}

TEST(DsnTest, NeverBounceABounceAndRouting) {
  DsnInput in = sampleInput();
  auto remote = dsnMessage(in, std::nullopt);
  ASSERT_TRUE(remote);
  EXPECT_EQ(remote->envelope_from, "");
  EXPECT_EQ(remote->remote_recipients, std::vector<std::string>{"alice@hosted.test"});
  EXPECT_TRUE(remote->local.empty());
  auto local = dsnMessage(in, std::string("mbx_1"));
  ASSERT_TRUE(local);
  ASSERT_EQ(local->local.size(), 1u);
  EXPECT_EQ(local->local[0].mailbox_id, "mbx_1");
  EXPECT_EQ(local->local[0].folder, "INBOX");
  EXPECT_TRUE(local->remote_recipients.empty());
  in.original_envelope_from = "";
  EXPECT_FALSE(dsnMessage(in, std::nullopt));
}

class DsnStoreTest : public testing::MailDbTest {};

TEST_P(DsnStoreTest, SendDsnDeliversToHostedSenderAndCountsBounce) {
  MailStore store(*ctx_, *blobs_);
  std::string alice = makeMailbox("alice");
  DsnInput in = sampleInput();
  in.now = clock_.nowSeconds();
  auto id = sendDsn(*ctx_, store, in, alice, alice);
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_FALSE(id->empty());
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_messages"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_queue"), 0);
  EXPECT_EQ(store.counters(alice, in.now)->bounced_today, 1);
  in.original_envelope_from = "";
  auto none = sendDsn(*ctx_, store, in, std::nullopt, std::nullopt);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_messages"), 1);
}

INSTANTIATE_TEST_SUITE_P(Engines, DsnStoreTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace mailjuke::core
