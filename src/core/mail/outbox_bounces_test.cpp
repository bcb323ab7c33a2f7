// Bounces of platform e-mail (SQLite, and PostgreSQL when MAILJUKE_TEST_PG_URL is set): the
// delivery worker's permanent failure and a DSN coming back both mark the outbox row bounced;
// a hard bounce suppresses the address for marketing; reports that are not ours, not failures
// or not about the row's recipient change nothing. Also the DSN reader on its own (pure).
#include "core/mail/outbox_bounces.h"

#include <gtest/gtest.h>

#include "core/mail/dsn_report.h"
#include "core/mail/mail_store_test_util.h"
#include "core/mail/outbox_sender.h"
#include "core/notify/outbox.h"
#include "core/pagination.h"
#include "core/privacy/flags.h"

namespace mailjuke::core {
namespace {

const char* kPostfixDsn =
    "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\r\n"
    "Message-ID: <20261201.ABC@mx.example.net>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/report; report-type=delivery-status;\r\n"
    "\tboundary=\"B1\"\r\n"
    "\r\n"
    "--B1\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "I'm sorry to have to inform you that your message could not be delivered.\r\n"
    "\r\n"
    "--B1\r\n"
    "Content-Description: Delivery report\r\n"
    "Content-Type: Message/Delivery-Status\r\n"
    "\r\n"
    "Reporting-MTA: dns; mx.example.net\r\n"
    "\r\n"
    "Final-Recipient: rfc822; <Gone@Example.net>\r\n"
    "Action: failed\r\n"
    "Status: 5.1.1\r\n"
    "Diagnostic-Code: smtp; 550 5.1.1 <gone@example.net>: Recipient address\r\n"
    "    rejected: User unknown\r\n"
    "\r\n"
    "Final-Recipient: rfc822; slow@example.net\r\n"
    "Action: delayed\r\n"
    "Status: 4.4.1\r\n"
    "\r\n"
    "--B1\r\n"
    "Content-Type: text/rfc822-headers\r\n"
    "\r\n"
    "From: MailJuke <no-reply@platform.test>\r\n"
    "Message-ID:\r\n <obx_1@platform.test>\r\n"
    "\r\n"
    "--B1--\r\n";

TEST(DsnReport, ReadsRecipientsAndTheOriginalMessageId) {
  auto r = parseDsnReport(kPostfixDsn);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->recipients.size(), 2u);
  EXPECT_EQ(r->recipients[0].address, "Gone@Example.net");
  EXPECT_EQ(r->recipients[0].action, "failed");
  EXPECT_EQ(r->recipients[0].status, "5.1.1");
  EXPECT_EQ(r->recipients[0].diagnostic,
            "550 5.1.1 <gone@example.net>: Recipient address rejected: User unknown");
  EXPECT_EQ(r->recipients[1].action, "delayed");
  EXPECT_EQ(r->recipients[1].status, "4.4.1");
  EXPECT_EQ(r->original_message_id, "obx_1@platform.test");  // not the report's own id
}

TEST(DsnReport, ReadsOurOwnReportsAndRejectsWhatIsNotOne) {
  DsnInput d;
  d.reporting_mta = "mail.mailjuke.test";
  d.original_envelope_from = "no-reply@platform.test";
  d.original_message = "Message-ID: <obx_9@platform.test>\r\nSubject: x\r\n\r\nbody\r\n";
  d.now = 1764547200;
  d.recipients.push_back({"a@example.com", "5.2.2", "552 5.2.2 mailbox full", "mx.example.com"});
  auto r = parseDsnReport(buildDsn(d));
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->recipients.size(), 1u);
  EXPECT_EQ(r->recipients[0].address, "a@example.com");
  EXPECT_EQ(r->recipients[0].status, "5.2.2");
  EXPECT_EQ(r->recipients[0].diagnostic, "552 5.2.2 mailbox full");
  EXPECT_EQ(r->original_message_id, "obx_9@platform.test");
  // An auto-reply quoting our Message-ID is not a bounce.
  EXPECT_FALSE(parseDsnReport("From: a@b\r\nIn-Reply-To: <obx_9@platform.test>\r\n\r\nAway\r\n")
                   .has_value());
  EXPECT_FALSE(parseDsnReport("").has_value());
  // Malformed status codes are dropped, not guessed; LF-only reports are read too.
  auto bad = parseDsnReport(
      "Content-Type: message/delivery-status\n\nFinal-Recipient: rfc822; x@y\nAction: failed\n"
      "Status: 9.1.1\n");
  ASSERT_TRUE(bad.has_value());
  ASSERT_EQ(bad->recipients.size(), 1u);
  EXPECT_EQ(bad->recipients[0].status, "");
  EXPECT_EQ(bad->original_message_id, "");
}

TEST(DsnReport, HardBounces) {
  EXPECT_TRUE(isHardBounce("5.1.1"));
  EXPECT_TRUE(isHardBounce("5.0.0"));
  EXPECT_FALSE(isHardBounce("5.4.7"));  // expired: the address may work again
  EXPECT_FALSE(isHardBounce("4.2.2"));
  EXPECT_FALSE(isHardBounce(""));
}

class OutboxBounceTest : public testing::MailStoreDbTest {
 protected:
  // One platform message to `to`, handed to the outbound queue; its outbox id.
  std::string queued(const std::string& to, const std::string& kind = "verify_email") {
    auto st = db_->run(store::TxMode::kWrite, [&](store::Tx& tx) {
      return enqueueEmail(tx, {kind, to, "", "Verify", "Code: 1\n"}, clock_.nowSeconds());
    });
    EXPECT_TRUE(st.ok());
    OutboxSenderOptions o;
    o.from_address = "no-reply@platform.test";
    OutboxSender sender(*ctx_, *directory_, *store_, o);
    auto run = sender.runOnce();
    EXPECT_TRUE(run.ok() && run->queued == 1);
    return text("SELECT id FROM outbox WHERE to_address = ?", {to});
  }

  bool suppressed(const std::string& address) {
    auto r = db_->read<bool>(
        [&](store::Tx& tx) { return privacy::isSuppressed(tx, ctx_->secret_key, address); });
    EXPECT_TRUE(r.ok());
    return r.ok() && *r;
  }

  Json adminRow(const std::string& to) {
    auto page =
        db_->read<Page>([&](store::Tx& tx) { return listOutbox(tx, to, std::nullopt, 10); });
    EXPECT_TRUE(page.ok());
    Json j = page.ok() ? Json::parse(page->render()) : Json::object();
    return j.contains("data") && !j["data"].empty() ? j["data"][0] : Json();
  }

  // A report from a remote MTA about the outbox message `id` to `rcpt`.
  std::string report(const std::string& id, const std::string& rcpt, const std::string& status,
                     const std::string& domain = "platform.test") {
    DsnInput d;
    d.reporting_mta = "mx.example.net";
    d.original_envelope_from = "no-reply@platform.test";
    d.original_message = "Message-ID: <" + id + "@" + domain + ">\r\n\r\nx\r\n";
    d.now = clock_.nowSeconds();
    d.recipients.push_back({rcpt, status, "550 " + status + " rejected", ""});
    return buildDsn(d);
  }
};

TEST_P(OutboxBounceTest, DeliveryWorkersPermanentFailureMarksTheRowAndSuppresses) {
  std::string id = queued("gone@example.com");
  std::string queue_id = text("SELECT queue_id FROM outbox WHERE id = ?", {id});
  int64_t now = clock_.nowSeconds();
  std::vector<DsnRecipient> failed{
      {"gone@example.com", "5.1.1", "550 5.1.1 no such user", "mx.example.com"}};
  auto unknown = bounceOutboxByQueueId(*ctx_, "msg_not_ours", failed, now);
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(*unknown);  // a customer's message: the caller sends its DSN
  auto marked = bounceOutboxByQueueId(*ctx_, queue_id, failed, now);
  ASSERT_TRUE(marked.ok()) << marked.error().message;
  EXPECT_TRUE(*marked);
  EXPECT_EQ(text("SELECT status FROM outbox WHERE id = ?", {id}), "bounced");
  EXPECT_EQ(text("SELECT bounce_status FROM outbox WHERE id = ?", {id}), "5.1.1");
  EXPECT_EQ(text("SELECT last_error FROM outbox WHERE id = ?", {id}),
            "5.1.1: 550 5.1.1 no such user (mx.example.com)");
  EXPECT_TRUE(suppressed("gone@example.com"));
  Json row = adminRow("gone@example.com");
  EXPECT_EQ(row["status"], "bounced");
  EXPECT_EQ(row["bounce"]["status"], "5.1.1");
  EXPECT_EQ(row["bounce"]["hard"], true);
  EXPECT_EQ(row["bounce"]["suppressed_for_marketing"], true);
  // Again (a crash before the queue update repeats it): nothing changes.
  auto again = bounceOutboxByQueueId(*ctx_, queue_id, failed, now + 5);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(*again);
  EXPECT_EQ(text("SELECT bounced_at FROM outbox WHERE id = ?", {id}), std::to_string(now));
  // A later marketing message to the address is dropped.
  ASSERT_TRUE(
      db_->run(
             store::TxMode::kWrite,
             [&](store::Tx& tx) {
               return enqueueEmail(tx, {"marketing", "gone@example.com", "", "News", "Hi\n"}, now);
             })
          .ok());
  OutboxSenderOptions o;
  o.from_address = "no-reply@platform.test";
  auto run = OutboxSender(*ctx_, *directory_, *store_, o).runOnce();
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->suppressed, 1);
}

TEST_P(OutboxBounceTest, ExpiredDeliveryIsASoftBounce) {
  std::string id = queued("slow@example.com");
  std::string queue_id = text("SELECT queue_id FROM outbox WHERE id = ?", {id});
  auto marked = bounceOutboxByQueueId(*ctx_, queue_id,
                                      {{"slow@example.com", "5.4.7", "421 try later", ""}}, 1);
  ASSERT_TRUE(marked.ok() && *marked);
  EXPECT_EQ(text("SELECT status FROM outbox WHERE id = ?", {id}), "bounced");
  EXPECT_FALSE(suppressed("slow@example.com"));
  EXPECT_EQ(adminRow("slow@example.com")["bounce"]["hard"], false);
}

TEST_P(OutboxBounceTest, ReturnedReportMarksOnlyTheMatchingRow) {
  std::string id = queued("anna@example.org");
  std::string other = queued("bob@example.org");
  const std::string from = "no-reply@platform.test";
  int64_t now = clock_.nowSeconds();
  // Not a report, another domain's Message-ID, another recipient, not a failure: nothing.
  auto none =
      bounceOutboxFromReport(*ctx_, from, "Subject: hi\r\n\r\n<" + id + "@platform.test>", now);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);
  EXPECT_EQ(*bounceOutboxFromReport(*ctx_, from,
                                    report(id, "anna@example.org", "5.1.1", "elsewhere.test"), now),
            0);
  EXPECT_EQ(*bounceOutboxFromReport(*ctx_, from, report(id, "bob@example.org", "5.1.1"), now), 0);
  std::string delayed = report(id, "anna@example.org", "4.4.1");
  auto pos = delayed.find("Action: failed");
  ASSERT_NE(pos, std::string::npos);
  delayed.replace(pos, 14, "Action: delayed");
  EXPECT_EQ(*bounceOutboxFromReport(*ctx_, from, delayed, now), 0);
  EXPECT_EQ(text("SELECT COUNT(*) FROM outbox WHERE status = 'bounced'"), "0");
  // The real one (the recipient's case differs): bounced, suppressed; the other row untouched.
  auto one = bounceOutboxFromReport(*ctx_, "no-reply@platform.test",
                                    report(id, "Anna@Example.org", "5.1.1"), now);
  ASSERT_TRUE(one.ok()) << one.error().message;
  EXPECT_EQ(*one, 1);
  EXPECT_EQ(text("SELECT status FROM outbox WHERE id = ?", {id}), "bounced");
  EXPECT_EQ(text("SELECT last_error FROM outbox WHERE id = ?", {id}), "5.1.1: 550 5.1.1 rejected");
  EXPECT_TRUE(suppressed("anna@example.org"));
  EXPECT_EQ(text("SELECT status FROM outbox WHERE id = ?", {other}), "queued");
  EXPECT_FALSE(suppressed("bob@example.org"));
}

INSTANTIATE_TEST_SUITE_P(Engines, OutboxBounceTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace mailjuke::core
