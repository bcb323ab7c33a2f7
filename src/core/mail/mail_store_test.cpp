#include "core/mail/mail_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include "core/mail/mail_queue.h"
#include "core/mail/mail_test_util.h"

namespace mailjuke::core {
namespace {

using testing::MailDbTest;

TEST(BlobStoreTest, PutIsIdempotentWithContentAddressedLayout) {
  auto root = std::filesystem::temp_directory_path() / newId("blobs");
  BlobStore blobs(root.string());
  auto a = blobs.put("hello\r\n");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->id, crypto::sha256Hex("hello\r\n"));
  EXPECT_EQ(a->size, 7);
  EXPECT_EQ(blobs.path(a->id), root.string() + "/" + a->id.substr(0, 2) + "/" + a->id);
  EXPECT_TRUE(std::filesystem::exists(blobs.path(a->id)));
  auto b = blobs.put("hello\r\n");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->id, a->id);
  auto listed = blobs.list();
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 1u);  // no temp files left behind
  size_t files = 0;
  for (auto& f : std::filesystem::recursive_directory_iterator(root))
    if (f.is_regular_file()) ++files;
  EXPECT_EQ(files, 1u);
  auto got = blobs.get(a->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "hello\r\n");
  EXPECT_TRUE(blobs.remove(a->id).ok());
  EXPECT_EQ(blobs.get(a->id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(blobs.get("../../etc/passwd").error().code, ErrorCode::kNotFound);
  std::filesystem::remove_all(root);
}

std::string body(int i, size_t size = 200) {
  std::string s = "Subject: test " + std::to_string(i) + "\r\n\r\n";
  while (s.size() < size)
    s += "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopq\r\n";
  return s;
}

class MailStoreTest : public MailDbTest {};

TEST_P(MailStoreTest, UidsStrictlyAscendingPerFolderUnderConcurrency) {
  MailStore store(*ctx_, *blobs_);
  std::string a = makeMailbox("a"), b = makeMailbox("b");
  constexpr int kThreads = 8, kEach = 200;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        AcceptedMessage m;
        m.content = body(t * kEach + i);
        m.envelope_from = "x@remote.test";
        m.local.push_back({a, "INBOX", {}, true});
        if (i % 2) m.local.push_back({b, "INBOX", {}, true});
        if (!store.accept(m).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto rows = db_->read<store::Rows>([&](store::Tx& tx) {
    return tx.query(
        "SELECT f.mailbox_id, m.uid, m.modseq, f.uidnext FROM mail_messages m JOIN mail_folders f "
        "ON f.id = m.folder_id ORDER BY f.mailbox_id, m.created_at, m.uid");
  });
  ASSERT_TRUE(rows.ok());
  std::map<std::string, std::vector<int64_t>> uids;
  for (auto& r : *rows) uids[r.text(0)].push_back(r.integer(1));
  ASSERT_EQ(uids[a].size(), size_t(kThreads * kEach));
  ASSERT_EQ(uids[b].size(), size_t(kThreads * kEach / 2));
  for (auto& [mbx, list] : uids) {
    std::sort(list.begin(), list.end());
    for (size_t i = 0; i < list.size(); ++i) ASSERT_EQ(list[i], int64_t(i + 1)) << mbx;
  }
  EXPECT_EQ(count("SELECT uidnext FROM mail_folders WHERE mailbox_id = ? AND name = 'INBOX'", {a}),
            kThreads * kEach + 1);
  auto c = store.counters(a, clock_.nowSeconds());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->received_today, kThreads * kEach);
  // Group commit: concurrent callers shared transactions.
  auto stats = store.stats();
  EXPECT_EQ(stats.messages, kThreads * kEach);
  EXPECT_LT(stats.transactions, stats.messages);
}

TEST_P(MailStoreTest, CountersAndDailyLimitRefusalStoresNothing) {
  MailStore store(*ctx_, *blobs_);
  std::string s = makeMailbox("sender");
  for (int i = 0; i < 3; ++i) {
    AcceptedMessage m;
    m.content = body(i);
    m.envelope_from = "sender@hosted.test";
    m.sender_mailbox_id = s;
    m.daily_limit = 3;
    m.local.push_back({s, "Sent", {"\\Seen"}, false});
    m.remote_recipients = {"r@remote.test"};
    auto r = store.accept(m);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  AcceptedMessage over;
  over.content = body(99);
  over.envelope_from = "sender@hosted.test";
  over.sender_mailbox_id = s;
  over.daily_limit = 3;
  over.local.push_back({s, "Sent", {"\\Seen"}, false});
  over.remote_recipients = {"r@remote.test"};
  auto r = store.accept(over);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_messages"), 3);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_queue"), 3);
  EXPECT_EQ(count("SELECT uidnext FROM mail_folders WHERE mailbox_id = ? AND name = 'Sent'", {s}),
            4);
  auto c = store.counters(s, clock_.nowSeconds());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->sent_today, 3);
  EXPECT_EQ(c->received_today, 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_messages WHERE flags = '\\Seen'"), 3);
  // The next UTC day has a fresh allowance.
  clock_.advanceSeconds(86400);
  EXPECT_TRUE(store.accept(over).ok());
  EXPECT_EQ(store.counters(s, clock_.nowSeconds())->sent_today, 1);
}

TEST_P(MailStoreTest, QueueRowsGroupedByDomain) {
  MailStore store(*ctx_, *blobs_);
  AcceptedMessage m;
  m.content = body(1);
  m.envelope_from = "x@hosted.test";
  m.remote_recipients = {"a@One.test", "b@one.test", "c@two.test"};
  auto id = store.accept(m);
  ASSERT_TRUE(id.ok()) << id.error().message;
  MailQueue queue(*ctx_);
  auto due = queue.claimDue(10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 2u);
  std::map<std::string, std::vector<std::string>> got;
  for (auto& e : *due) {
    got[e.domain] = e.recipients;
    EXPECT_EQ(e.message_id, *id);
    EXPECT_EQ(e.blob_id, crypto::sha256Hex(m.content));
    EXPECT_EQ(e.expires_at, clock_.nowSeconds() + 5 * 86400);
  }
  EXPECT_EQ(got["one.test"], (std::vector<std::string>{"a@One.test", "b@one.test"}));
  EXPECT_EQ(got["two.test"], (std::vector<std::string>{"c@two.test"}));
}

TEST_P(MailStoreTest, FailingItemDoesNotFailItsBatch) {
  MailStore store(*ctx_, *blobs_);
  std::string a = makeMailbox("a");
  constexpr int kThreads = 8, kEach = 50;
  std::atomic<int> ok{0}, bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        AcceptedMessage m;
        m.content = body(t * 1000 + i);
        // Every fourth message targets a folder that does not exist.
        m.local.push_back({a, i % 4 == 0 ? "NoSuchFolder" : "INBOX", {}, true});
        m.remote_recipients = {"z@remote.test"};
        auto r = store.accept(m);
        if (r.ok()) {
          ++ok;
        } else {
          EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
          ++bad;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), kThreads * ((kEach + 3) / 4));
  EXPECT_EQ(ok.load(), kThreads * kEach - bad.load());
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_messages"), ok.load());
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_queue"), ok.load());
  EXPECT_EQ(count("SELECT uidnext FROM mail_folders WHERE mailbox_id = ? AND name = 'INBOX'", {a}),
            ok.load() + 1);
  EXPECT_EQ(store.counters(a, clock_.nowSeconds())->received_today, ok.load());
}

TEST_P(MailStoreTest, GarbageCollectionKeepsReferencedAndYoungBlobs) {
  MailStore store(*ctx_, *blobs_);
  std::string a = makeMailbox("a");
  AcceptedMessage m;
  m.content = body(1);
  m.local.push_back({a, "INBOX", {}, true});
  ASSERT_TRUE(store.accept(m).ok());
  auto orphan = blobs_->put("orphan");
  auto young = blobs_->put("young orphan");
  ASSERT_TRUE(orphan.ok() && young.ok());
  // Age the orphan past the grace period.
  struct timespec times[2] = {{1000, 0}, {1000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, blobs_->path(orphan->id).c_str(), times, 0), 0);
  ASSERT_EQ(::utimensat(AT_FDCWD, blobs_->path(crypto::sha256Hex(m.content)).c_str(), times, 0), 0);
  auto removed = store.collectGarbage();
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 1);
  EXPECT_FALSE(blobs_->get(orphan->id).ok());
  EXPECT_TRUE(blobs_->get(young->id).ok());
  EXPECT_TRUE(blobs_->get(crypto::sha256Hex(m.content)).ok());
}

// 5,000 × 5 KB from 8 threads (SQLite synchronous=FULL, blob fsync per message).
TEST_P(MailStoreTest, AcceptThroughput) {
  MailStore store(*ctx_, *blobs_);
  std::string a = makeMailbox("a");
  constexpr int kThreads = 8, kTotal = 5000;
  std::atomic<int> next{0}, failures{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < kTotal; i = next++) {
        AcceptedMessage m;
        m.content = body(i, 5000);
        m.envelope_from = "x@remote.test";
        m.local.push_back({a, "INBOX", {}, true});
        if (i % 2) m.remote_recipients = {"r@remote.test"};
        if (!store.accept(m).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(failures.load(), 0);
  auto stats = store.stats();
  std::printf("[throughput %s] %d x 5 KB in %.2f s = %.0f msg/s, %lld transactions\n",
              GetParam().c_str(), kTotal, secs, kTotal / secs,
              static_cast<long long>(stats.transactions));
  EXPECT_EQ(count("SELECT COUNT(*) FROM mail_messages"), kTotal);
}

INSTANTIATE_TEST_SUITE_P(Engines, MailStoreTest, ::testing::Values("sqlite", "postgres"));

class MailQueueTest : public MailDbTest {};

TEST(MailQueueBackoff, DoublesAndCapsAtFourHours) {
  BackoffPolicy p{60, 4 * 3600};
  EXPECT_EQ(backoffSeconds(p, 0), 60);
  EXPECT_EQ(backoffSeconds(p, 1), 120);
  EXPECT_EQ(backoffSeconds(p, 2), 240);
  EXPECT_EQ(backoffSeconds(p, 7), 7680);
  EXPECT_EQ(backoffSeconds(p, 8), 14400);
  EXPECT_EQ(backoffSeconds(p, 60), 14400);
}

TEST_P(MailQueueTest, DeferFollowsScheduleAndCrashRecoveryRequeues) {
  MailStore store(*ctx_, *blobs_);
  AcceptedMessage m;
  m.content = body(1);
  m.envelope_from = "x@hosted.test";
  m.remote_recipients = {"a@one.test", "b@one.test"};
  ASSERT_TRUE(store.accept(m).ok());
  MailQueue queue(*ctx_, {60, 4 * 3600});
  auto due = queue.claimDue(10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  std::string id = (*due)[0].id;
  EXPECT_TRUE(queue.claimDue(10)->empty());  // leased
  ASSERT_TRUE(queue.defer(id, "451 try later", {"b@one.test"}).ok());
  auto e = queue.get(id);
  ASSERT_TRUE(e.ok() && e->has_value());
  EXPECT_EQ((*e)->status, "queued");
  EXPECT_EQ((*e)->attempts, 1);
  EXPECT_EQ((*e)->next_attempt_at, clock_.nowSeconds() + 60);
  EXPECT_EQ((*e)->recipients, std::vector<std::string>{"b@one.test"});
  EXPECT_EQ((*e)->last_error, "451 try later");
  EXPECT_TRUE(queue.claimDue(10)->empty());
  clock_.advanceSeconds(60);
  ASSERT_EQ(queue.claimDue(10)->size(), 1u);
  ASSERT_TRUE(queue.defer(id, "timeout").ok());
  EXPECT_EQ((*queue.get(id))->next_attempt_at, clock_.nowSeconds() + 120);
  clock_.advanceSeconds(120);
  ASSERT_EQ(queue.claimDue(10)->size(), 1u);
  // Crash while delivering: on restart the entry is queued and due at once.
  auto recovered = queue.recover();
  ASSERT_TRUE(recovered.ok());
  EXPECT_EQ(*recovered, 1);
  EXPECT_EQ((*queue.get(id))->status, "queued");
  ASSERT_EQ(queue.claimDue(10)->size(), 1u);
  // Operator retry and delete.
  ASSERT_TRUE(queue.defer(id, "x").ok());
  ASSERT_TRUE(queue.retryNow(id).ok());
  EXPECT_EQ((*queue.get(id))->next_attempt_at, clock_.nowSeconds());
  auto page = queue.list({std::string("queued"), std::string("one.test")}, {});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->data.size(), 1u);
  ASSERT_TRUE(queue.remove(id).ok());
  EXPECT_EQ(queue.remove(id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(queue.retryNow(id).error().code, ErrorCode::kNotFound);
}

TEST_P(MailQueueTest, ExpiredLeaseIsClaimedAgain) {
  MailStore store(*ctx_, *blobs_);
  AcceptedMessage m;
  m.content = body(1);
  m.remote_recipients = {"a@one.test"};
  ASSERT_TRUE(store.accept(m).ok());
  MailQueue queue(*ctx_);
  ASSERT_EQ(queue.claimDue(10, 300)->size(), 1u);
  clock_.advanceSeconds(299);
  EXPECT_TRUE(queue.claimDue(10, 300)->empty());
  clock_.advanceSeconds(1);
  EXPECT_EQ(queue.claimDue(10, 300)->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Engines, MailQueueTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace mailjuke::core
