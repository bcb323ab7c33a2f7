// The outbox sender over the real mail store (SQLite, and PostgreSQL when MAILJUKE_TEST_PG_URL is
// set): remote rows into the outbound queue, hosted recipients into their INBOX, DKIM with the
// hosted sender domain's key, the suppression re-check, claims and leases, retries and give-ups.
#include "core/mail/outbox_sender.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "core/domains/dkim_key.h"
#include "core/mail/mail_store_test_util.h"
#include "core/mailauth/dkim.h"
#include "core/mailauth/fake_resolver.h"
#include "core/notify/outbox.h"
#include "core/privacy/flags.h"

namespace mailjuke::core {
namespace {

class OutboxSenderTest : public testing::MailStoreDbTest {
 protected:
  OutboxSender sender(const std::string& from = "no-reply@platform.test") {
    OutboxSenderOptions o;
    o.from_name = "MailJuke";
    o.from_address = from;
    return OutboxSender(*ctx_, *directory_, *store_, o);
  }

  void enqueue(const Email& e) {
    auto st = db_->run(store::TxMode::kWrite,
                       [&](store::Tx& tx) { return enqueueEmail(tx, e, clock_.nowSeconds()); });
    ASSERT_TRUE(st.ok()) << st.error().message;
  }

  void exec(const std::string& sql, const store::Params& params = {}) {
    auto st = db_->run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
      MJ_TRY(tx.exec(sql, params));
      return {};
    });
    ASSERT_TRUE(st.ok()) << st.error().message;
  }

  std::string queuedContent() {
    auto blob = blobs_->get(text("SELECT blob_id FROM mail_queue"));
    EXPECT_TRUE(blob.ok());
    return blob.ok() ? *blob : "";
  }
};

TEST_P(OutboxSenderTest, RemoteRecipientGoesIntoTheQueueOnce) {
  enqueue({"verify_email", "User@Example.com", "", "Verify your e-mail", "Code: 123456\n"});
  auto s = sender();
  auto run = s.runOnce();
  ASSERT_TRUE(run.ok()) << run.error().message;
  EXPECT_EQ(run->queued, 1);
  EXPECT_EQ(text("SELECT status FROM outbox"), "queued");
  EXPECT_EQ(text("SELECT queue_id FROM outbox"), text("SELECT message_id FROM mail_queue"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbox WHERE sent_at = ?", {clock_.nowSeconds()}), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbox WHERE claim_token IS NULL"), 1);
  EXPECT_EQ(text("SELECT domain FROM mail_queue"), "example.com");
  EXPECT_EQ(text("SELECT envelope_from FROM mail_queue"), "no-reply@platform.test");
  EXPECT_EQ(text("SELECT recipients FROM mail_queue"), "[\"User@Example.com\"]");
  std::string m = queuedContent();
  EXPECT_NE(m.find("From: MailJuke <no-reply@platform.test>\r\n"), std::string::npos);
  EXPECT_NE(m.find("Subject: Verify your e-mail\r\n"), std::string::npos);
  EXPECT_NE(m.find("Auto-Submitted: auto-generated\r\n"), std::string::npos);
  EXPECT_NE(m.find("Message-ID: <" + text("SELECT id FROM outbox") + "@platform.test>"),
            std::string::npos);
  EXPECT_EQ(m.find("DKIM-Signature"), std::string::npos);  // platform.test is not hosted
  // A second pass (this node or another) finds nothing to do.
  auto again = sender().runOnce();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->queued, 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_queue"), 1);
}

TEST_P(OutboxSenderTest, HostedRecipientIsDeliveredLocally) {
  std::string mbx = makeMailbox("alice");
  exec("UPDATE mailbox_state SET version = version + 1 WHERE id = 1");
  ASSERT_TRUE(directory_->refresh().ok());
  enqueue({"invitation", "alice@hosted.test", "", "You are invited", "Join us.\n"});
  auto run = sender().runOnce();
  ASSERT_TRUE(run.ok()) << run.error().message;
  EXPECT_EQ(run->queued, 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_queue"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_messages m JOIN mail_folders f ON f.id = "
                  "m.folder_id WHERE f.mailbox_id = ? AND f.name = 'INBOX'",
                  {mbx}),
            1);
  EXPECT_EQ(text("SELECT status FROM outbox"), "queued");
}

TEST_P(OutboxSenderTest, SignsWithTheHostedSenderDomainsKey) {
  auto key = generateDkimKey(1024);
  ASSERT_TRUE(key.ok());
  exec(
      "INSERT INTO dkim_keys (id, domain_id, selector, private_key, public_key, status, "
      "created_at) VALUES ('dkk_1', 'dom_1', 'mj1', ?, ?, 'active', 1)",
      {crypto::seal(ctx_->secret_key, key->private_pem), key->public_b64});
  exec("UPDATE mailbox_state SET version = version + 1 WHERE id = 1");
  ASSERT_TRUE(directory_->refresh().ok());
  enqueue({"password_reset", "bob@example.com", "", "Réinitialiser le mot de passe",
           "Link:\n\nhttps://mailjuke.test/reset?t=x\n"});
  auto run = sender("no-reply@hosted.test").runOnce();
  ASSERT_TRUE(run.ok()) << run.error().message;
  ASSERT_EQ(run->queued, 1);
  std::string m = queuedContent();
  ASSERT_EQ(m.rfind("DKIM-Signature:", 0), 0u) << m.substr(0, 200);
  mailauth::testing::FakeResolver dns;
  dns.txt_records["mj1._domainkey.hosted.test"] = {dkimTxtValue(key->public_b64)};
  auto verdicts = mailauth::dkimVerify(m, dns, clock_.nowSeconds());
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_EQ(verdicts[0].result, "pass") << verdicts[0].reason;
}

TEST_P(OutboxSenderTest, SuppressedMarketingIsDroppedRightBeforeEnqueueing) {
  Email e{"marketing", "gone@example.com", "", "News", "Hello\n"};
  e.headers = {{"List-Unsubscribe", "<https://mailjuke.test/api/v1/unsubscribe?t=x>"},
               {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}};
  enqueue(e);
  enqueue({"marketing", "stays@example.com", "", "News", "Hello\n", e.headers});
  // Unsubscribed after the send was queued, before the outbox pass.
  auto st = db_->run(store::TxMode::kWrite, [&](store::Tx& tx) {
    return privacy::suppress(tx, ctx_->secret_key, "Gone@Example.com", "list_unsubscribe",
                             clock_.nowSeconds());
  });
  ASSERT_TRUE(st.ok());
  auto run = sender().runOnce();
  ASSERT_TRUE(run.ok()) << run.error().message;
  EXPECT_EQ(run->suppressed, 1);
  EXPECT_EQ(run->queued, 1);
  EXPECT_EQ(text("SELECT status FROM outbox WHERE to_address = 'gone@example.com'"), "suppressed");
  EXPECT_EQ(text("SELECT recipients FROM mail_queue"), "[\"stays@example.com\"]");
  std::string m = queuedContent();
  EXPECT_NE(m.find("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"), std::string::npos);
  EXPECT_EQ(m.find("Auto-Submitted"), std::string::npos);
}

TEST_P(OutboxSenderTest, ClaimedRowsWaitForTheLeaseThenAreTakenOver) {
  enqueue({"verify_email", "a@example.com", "", "S", "T"});
  int64_t now = clock_.nowSeconds();
  // Another node holds the row.
  exec("UPDATE outbox SET status = 'sending', claim_token = 'other', claimed_until = ?",
       {now + 300});
  auto run = sender().runOnce();
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->queued, 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_queue"), 0);
  // That node died: after the lease another one sends the row, and only once.
  clock_.advanceSeconds(301);
  run = sender().runOnce();
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->queued, 1);
  EXPECT_EQ(text("SELECT status FROM outbox"), "queued");
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_queue"), 1);
}

TEST_P(OutboxSenderTest, LostClaimRollsTheMessageBack) {
  // The in-transaction update is conditional on the claim: a message whose row was taken over
  // meanwhile is not stored (the accept fails as a whole).
  enqueue({"verify_email", "a@example.com", "", "S", "T"});
  AcceptedMessage m;
  m.content = "Subject: x\r\n\r\nbody\r\n";
  m.remote_recipients = {"a@example.com"};
  m.in_transaction = [&](store::Tx& tx, const std::string& id) -> Status {
    MJ_TRY_ASSIGN(auto n, tx.exec("UPDATE outbox SET status = 'queued', queue_id = ? WHERE "
                                  "claim_token = 'not-ours'",
                                  {id}));
    if (n != 1) return Error::make(ErrorCode::kConflict, "claimed elsewhere");
    return {};
  };
  auto r = store_->accept(m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_queue"), 0);
  EXPECT_EQ(text("SELECT status FROM outbox"), "pending");
}

TEST_P(OutboxSenderTest, FailuresAreRetriedThenGivenUp) {
  std::string mbx = makeMailbox("full");
  exec("UPDATE mailbox_state SET version = version + 1 WHERE id = 1");
  ASSERT_TRUE(directory_->refresh().ok());
  exec("DELETE FROM mail_folders WHERE mailbox_id = ? AND name = 'INBOX'", {mbx});
  enqueue({"security_alert", "full@hosted.test", "", "S", "T"});
  enqueue({"security_alert", "not an address", "", "S", "T"});
  auto run = sender().runOnce();
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->retried, 1);
  EXPECT_EQ(run->failed, 1);
  EXPECT_EQ(text("SELECT status FROM outbox WHERE to_address = 'not an address'"), "failed");
  EXPECT_EQ(text("SELECT status FROM outbox WHERE to_address = 'full@hosted.test'"), "pending");
  EXPECT_EQ(count("SELECT attempts FROM outbox WHERE to_address = 'full@hosted.test'"), 1);
  EXPECT_NE(text("SELECT last_error FROM outbox WHERE to_address = 'full@hosted.test'"), "<null>");
  // Not before the backoff; then again until max_attempts.
  run = sender().runOnce();
  EXPECT_EQ(run->retried, 0);
  for (int i = 0; i < 20; ++i) {
    clock_.advanceSeconds(3600);
    ASSERT_TRUE(sender().runOnce().ok());
  }
  EXPECT_EQ(text("SELECT status FROM outbox WHERE to_address = 'full@hosted.test'"), "failed");
  EXPECT_EQ(count("SELECT attempts FROM outbox WHERE to_address = 'full@hosted.test'"), 7);
}

TEST_P(OutboxSenderTest, OldRowsExpireUnsent) {
  enqueue({"verify_email", "late@example.com", "", "S", "T"});
  clock_.advanceSeconds(4 * 86400);
  auto run = sender().runOnce();
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->expired, 1);
  EXPECT_EQ(text("SELECT status FROM outbox"), "expired");
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_queue"), 0);
}

TEST_P(OutboxSenderTest, Throughput) {
  constexpr int kRows = 500;
  auto st = db_->run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    for (int i = 0; i < kRows; ++i)
      MJ_TRY(enqueueEmail(tx,
                          {"marketing", "user" + std::to_string(i) + "@example.com", "",
                           "Spring news", std::string(2000, 'x') + "\n"},
                          clock_.nowSeconds()));
    return {};
  });
  ASSERT_TRUE(st.ok());
  auto s = sender();
  auto start = std::chrono::steady_clock::now();
  int64_t queued = 0;
  for (int pass = 0; pass < 100 && queued < kRows; ++pass) {
    auto run = s.runOnce();
    ASSERT_TRUE(run.ok()) << run.error().message;
    queued += run->queued;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("[outbox %s] %d rows in %.2f s = %.0f rows/s\n", GetParam().c_str(), kRows, secs,
              kRows / secs);
  EXPECT_EQ(queued, kRows);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_queue"), kRows);
}

// Two nodes (two senders on one database) racing over the same rows: each row is queued once.
TEST_P(OutboxSenderTest, TwoNodesSendEachRowExactlyOnce) {
  constexpr int kRows = 300;
  auto st = db_->run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    for (int i = 0; i < kRows; ++i)
      MJ_TRY(enqueueEmail(tx,
                          {"verify_email", "n" + std::to_string(i) + "@example.com", "", "S", "T"},
                          clock_.nowSeconds()));
    return {};
  });
  ASSERT_TRUE(st.ok());
  std::atomic<int64_t> queued{0};
  auto node = [&] {
    auto s = sender();
    for (int pass = 0; pass < 200; ++pass) {
      auto run = s.runOnce();
      ASSERT_TRUE(run.ok()) << run.error().message;
      queued += run->queued;
      if (run->claimed == 0 && count("SELECT COUNT(*) FROM outbox WHERE status <> 'queued'") == 0)
        return;
    }
  };
  std::thread a(node), b(node);
  a.join();
  b.join();
  EXPECT_EQ(queued.load(), kRows);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_queue"), kRows);
  EXPECT_EQ(count("SELECT COUNT(DISTINCT recipients) FROM mail_queue"), kRows);
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbox WHERE status = 'queued' AND queue_id IS NOT NULL"),
            kRows);
}

TEST_P(OutboxSenderTest, AccountMailGoesBeforeMarketing) {
  for (int i = 0; i < 3; ++i)
    enqueue({"marketing", "m" + std::to_string(i) + "@example.com", "", "News", "T"});
  enqueue({"password_reset", "urgent@example.com", "", "Reset", "T"});
  OutboxSenderOptions o;
  o.from_address = "no-reply@platform.test";
  o.batch = 1;
  OutboxSender s(*ctx_, *directory_, *store_, o);
  auto run = s.runOnce();
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->queued, 1);
  EXPECT_EQ(text("SELECT recipients FROM mail_queue"), "[\"urgent@example.com\"]");
}

TEST(PlatformSender, DefaultsAndParsing) {
  auto d = platformSender("", "MailJuke", "https://app.Example.com:8443/x", "mail.mj.test");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->name, "MailJuke");
  EXPECT_EQ(d->address, "no-reply@app.example.com");
  d = platformSender("", "MailJuke", "http://127.0.0.1:8080", "mail.mj.test");
  EXPECT_EQ(d->address, "no-reply@mail.mj.test");
  d = platformSender("\"Acme Mail\" <hello@acme.test>", "MailJuke", "", "");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->name, "Acme Mail");
  EXPECT_EQ(d->address, "hello@acme.test");
  d = platformSender("hello@acme.test", "MailJuke", "", "");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->name, "");
  EXPECT_FALSE(platformSender("Name <broken", "M", "", "").ok());
  EXPECT_FALSE(platformSender("no at sign", "M", "", "").ok());
  EXPECT_EQ(platformSender("<x y@z>", "M", "", "").error().fields.at(0).field,
            "mail.platform_from");
}

INSTANTIATE_TEST_SUITE_P(Engines, OutboxSenderTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace mailjuke::core
