#include "core/billing/ledger.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>

#include "core/mail/mail_test_util.h"

namespace mailjuke::core::billing {
namespace {

// A migrated database on SQLite or PostgreSQL (MAILJUKE_TEST_PG_URL) with workspace ws_1.
class LedgerTest : public testing::MailDbTest {
 protected:
  int64_t walletSum(const std::string& ws, const std::string& cur) {
    return count(
        "SELECT COALESCE(SUM(CASE WHEN side = 'credit' THEN amount ELSE -amount END), 0) FROM "
        "ledger_entries WHERE account_id = ?",
        {walletAccountId(ws, cur)});
  }
  void addWorkspace(const std::string& id) {
    auto st = db_->run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
      MJ_TRY(
          tx.exec("INSERT INTO workspaces (id, name, created_at, updated_at) VALUES "
                  "(?, 'W', 1, 1)",
                  {id}));
      return {};
    });
    ASSERT_TRUE(st.ok()) << st.error().message;
  }
};

TEST_P(LedgerTest, TopUpChargeRefundAndReversal) {
  Ledger ledger(*ctx_);
  auto top = ledger.topUp("ws_1", "USD", 10000);
  ASSERT_TRUE(top.ok()) << top.error().message;
  EXPECT_EQ(*ledger.balance("ws_1", "USD"), 10000);
  auto charge = ledger.charge("ws_1", "USD", 3900, "Starter, December");
  ASSERT_TRUE(charge.ok()) << charge.error().message;
  EXPECT_EQ(*ledger.balance("ws_1", "USD"), 6100);
  // Overdraft is refused and changes nothing.
  auto over = ledger.charge("ws_1", "USD", 6101, "too much");
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::kPaymentRequired);
  EXPECT_EQ(*ledger.balance("ws_1", "USD"), 6100);
  ASSERT_TRUE(ledger.refund("ws_1", "USD", 100).ok());
  EXPECT_EQ(*ledger.balance("ws_1", "USD"), 6000);
  // Corrections by reversal: the charge comes back, once.
  auto rev = ledger.reverse(*charge, "charged twice");
  ASSERT_TRUE(rev.ok()) << rev.error().message;
  EXPECT_EQ(*ledger.balance("ws_1", "USD"), 9900);
  EXPECT_EQ(ledger.reverse(*charge, "again").error().code, ErrorCode::kConflict);
  EXPECT_EQ(ledger.reverse(*rev, "undo").error().code, ErrorCode::kConflict);
  EXPECT_EQ(ledger.reverse("ltx_missing", "x").error().code, ErrorCode::kNotFound);
  // Reversing the top-up would take the wallet below zero once credit is spent.
  ASSERT_TRUE(ledger.charge("ws_1", "USD", 9000, "domain").ok());
  EXPECT_EQ(ledger.reverse(*top, "chargeback").error().code, ErrorCode::kPaymentRequired);
  EXPECT_EQ(*ledger.balance("ws_1", "USD"), 900);
  // Currencies are separate wallets.
  EXPECT_EQ(*ledger.balance("ws_1", "EUR"), 0);
  EXPECT_EQ(ledger.charge("ws_1", "EUR", 1, "x").error().code, ErrorCode::kPaymentRequired);
  EXPECT_EQ(ledger.topUp("ws_1", "usd", 1).error().code, ErrorCode::kInvalid);
  EXPECT_EQ(ledger.topUp("ws_1", "USD", 0).error().code, ErrorCode::kInvalid);
  EXPECT_EQ(ledger.topUp("ws_1", "USD", -5).error().code, ErrorCode::kInvalid);
  EXPECT_TRUE(ledger.checkInvariants().ok());
  // Entries, newest first, with cursor pagination.
  std::vector<Entry> all;
  std::optional<std::string> cursor;
  do {
    auto page = ledger.entries("ws_1", "USD", cursor, 2);
    ASSERT_TRUE(page.ok()) << page.error().message;
    EXPECT_LE(page->entries.size(), 2u);
    all.insert(all.end(), page->entries.begin(), page->entries.end());
    cursor = page->next_cursor;
  } while (cursor);
  ASSERT_EQ(all.size(), 5u);  // top-up, charge, refund, reversal, charge
  int64_t sum = 0;
  for (const auto& e : all) sum += e.side == Side::kCredit ? e.amount : -e.amount;
  EXPECT_EQ(sum, 900);
  EXPECT_EQ(all.front().kind, "charge");
  EXPECT_EQ(all.back().kind, "top_up");
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].seq, int64_t(all.size() - i));
  EXPECT_EQ(ledger.entries("ws_1", "USD", std::string("x1"), 2).error().code, ErrorCode::kInvalid);
}

TEST_P(LedgerTest, PostRefusesUnbalancedAndForeignCurrency) {
  Ledger ledger(*ctx_);
  ASSERT_TRUE(ledger.topUp("ws_1", "USD", 500).ok());
  std::string wallet = walletAccountId("ws_1", "USD");
  std::string revenue = platformAccountId("revenue", "USD");
  NewTransaction t{"charge", "USD", "ws_1", {}, "x", {}, {}};
  t.legs = {{wallet, Side::kDebit, 100}, {revenue, Side::kCredit, 99}};
  EXPECT_EQ(ledger.post(t).error().code, ErrorCode::kInvalid);
  t.legs = {{wallet, Side::kDebit, 100}};
  EXPECT_EQ(ledger.post(t).error().code, ErrorCode::kInvalid);
  t.legs = {{wallet, Side::kDebit, 100}, {platformAccountId("revenue", "EUR"), Side::kCredit, 100}};
  EXPECT_FALSE(ledger.post(t).ok());  // no such account (or another currency)
  // Split postings balance across several legs.
  t.legs = {{wallet, Side::kDebit, 100},
            {revenue, Side::kCredit, 60},
            {platformAccountId("refunds", "USD"), Side::kCredit, 40}};
  ASSERT_TRUE(ledger.post(t).ok());
  EXPECT_EQ(*ledger.balance("ws_1", "USD"), 400);
  EXPECT_EQ(count("SELECT COUNT(*) FROM ledger_entries"), 2 + 3);
  EXPECT_TRUE(ledger.checkInvariants().ok());
}

TEST_P(LedgerTest, IdempotencyKeyReplaysTheFirstTransaction) {
  Ledger ledger(*ctx_);
  auto a = ledger.topUp("ws_1", "USD", 2500, "key-1");
  auto b = ledger.topUp("ws_1", "USD", 2500, "key-1");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(*ledger.balance("ws_1", "USD"), 2500);
  auto c = ledger.topUp("ws_1", "USD", 9999, "key-1");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kInvalid);  // 422: same key, another request
  auto r1 = ledger.reverse(*a, "refund", "rev-1");
  auto r2 = ledger.reverse(*a, "refund", "rev-1");
  ASSERT_TRUE(r1.ok() && r2.ok()) << (r1.ok() ? r2.error().message : r1.error().message);
  EXPECT_EQ(*r1, *r2);
  EXPECT_EQ(*ledger.balance("ws_1", "USD"), 0);
}

// The same key from many threads at once: one transaction, every caller gets its id.
TEST_P(LedgerTest, ConcurrentRequestsWithOneKeyPostOnce) {
  Ledger ledger(*ctx_);
  ASSERT_TRUE(ledger.topUp("ws_1", "USD", 1).ok());  // the wallet exists: its lock orders them
  std::vector<std::string> ids(16);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < ids.size(); ++i) {
    threads.emplace_back([&, i] {
      auto r = ledger.topUp("ws_1", "USD", 700, "same-key");
      if (r.ok()) {
        ids[i] = *r;
      } else {
        ADD_FAILURE() << r.error().message;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& id : ids) EXPECT_EQ(id, ids[0]);
  EXPECT_EQ(*ledger.balance("ws_1", "USD"), 701);
  EXPECT_EQ(count("SELECT COUNT(*) FROM ledger_transactions WHERE idempotency_key = 'same-key'"),
            1);
  EXPECT_TRUE(ledger.checkInvariants().ok());
}

// Thousands of random operations on several wallets and currencies: after each batch the
// invariants hold and every balance equals both a model and the sum of its entries.
TEST_P(LedgerTest, PropertyRandomOperationsKeepTheInvariants) {
  Ledger ledger(*ctx_);
  const std::vector<std::string> workspaces = {"ws_1", "ws_2", "ws_3"};
  addWorkspace("ws_2");
  addWorkspace("ws_3");
  const std::vector<std::string> currencies = {"USD", "EUR"};
  std::map<std::pair<std::string, std::string>, int64_t> model;
  struct Posted {
    std::string id, ws, cur, kind;
    int64_t amount;
    bool reversed = false;
  };
  std::vector<Posted> posted;
  std::mt19937_64 rng(20261201);
  const int kOps = GetParam() == "sqlite" ? 3000 : 2000;
  int refused = 0;
  for (int i = 0; i < kOps; ++i) {
    const auto& ws = workspaces[rng() % workspaces.size()];
    const auto& cur = currencies[rng() % currencies.size()];
    int64_t amount = 1 + int64_t(rng() % 5000);
    int64_t& bal = model[{ws, cur}];
    int op = int(rng() % 10);
    if (op < 3) {
      auto r = ledger.topUp(ws, cur, amount);
      ASSERT_TRUE(r.ok()) << r.error().message;
      bal += amount;
      posted.push_back({*r, ws, cur, "top_up", amount});
    } else if (op < 8) {
      bool is_charge = op < 7;  // else a refund of unused credit
      auto r = is_charge ? ledger.charge(ws, cur, amount, "op") : ledger.refund(ws, cur, amount);
      if (amount > bal) {
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, ErrorCode::kPaymentRequired);
        ++refused;
      } else {
        ASSERT_TRUE(r.ok()) << r.error().message;
        bal -= amount;
        posted.push_back({*r, ws, cur, is_charge ? "charge" : "refund", amount});
      }
    } else if (!posted.empty()) {
      auto& p = posted[rng() % posted.size()];
      int64_t& pb = model[{p.ws, p.cur}];
      int64_t delta = p.kind == "top_up" ? -p.amount : p.amount;
      auto r = ledger.reverse(p.id, "correction");
      if (p.reversed) {
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, ErrorCode::kConflict);
      } else if (pb + delta < 0) {
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, ErrorCode::kPaymentRequired);
      } else {
        ASSERT_TRUE(r.ok()) << r.error().message;
        pb += delta;
        p.reversed = true;
      }
    }
    if (i % 500 == 499) {
      ASSERT_TRUE(ledger.checkInvariants().ok()) << "after op " << i;
    }
  }
  auto inv = ledger.checkInvariants();
  ASSERT_TRUE(inv.ok()) << inv.error().message;
  for (const auto& [key, bal] : model) {
    EXPECT_EQ(*ledger.balance(key.first, key.second), bal) << key.first << key.second;
    EXPECT_EQ(walletSum(key.first, key.second), bal) << key.first << key.second;
    EXPECT_GE(bal, 0);
    // The paginated statement adds up too, with seq counting down without gaps.
    int64_t paged = 0, expect_seq = -1;
    std::optional<std::string> cursor;
    do {
      auto page = ledger.entries(key.first, key.second, cursor, 100);
      ASSERT_TRUE(page.ok()) << page.error().message;
      for (const auto& e : page->entries) {
        if (expect_seq >= 0) {
          EXPECT_EQ(e.seq, expect_seq);
        }
        expect_seq = e.seq - 1;
        paged += e.side == Side::kCredit ? e.amount : -e.amount;
      }
      cursor = page->next_cursor;
    } while (cursor);
    EXPECT_EQ(paged, bal) << key.first << key.second;
    EXPECT_EQ(expect_seq, 0);
  }
  EXPECT_GT(refused, 0);  // the overdraft path was exercised
  std::cout << "[ property ] " << kOps << " operations, " << posted.size() << " posted, " << refused
            << " overdrafts refused\n";
}

// 100 parallel charges of 100 against a wallet holding exactly 5000: exactly 50 succeed.
TEST_P(LedgerTest, ConcurrentChargesNeverOverdraw) {
  Ledger ledger(*ctx_);
  ASSERT_TRUE(ledger.topUp("ws_1", "USD", 5000).ok());
  std::atomic<int> succeeded{0}, refused{0}, failed{0};
  std::atomic<bool> go{false}, done{false};
  std::atomic<int64_t> lowest{5000};
  std::atomic<int> observations{0};
  std::thread watcher([&] {  // reads the balance throughout: never below zero
    while (!done.load()) {
      auto b = ledger.balance("ws_1", "USD");
      if (b.ok()) {
        int64_t cur = lowest.load();
        while (*b < cur && !lowest.compare_exchange_weak(cur, *b)) {
        }
        ++observations;
      }
    }
  });
  std::vector<std::thread> threads;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      auto r = ledger.charge("ws_1", "USD", 100, "charge " + std::to_string(i));
      if (r.ok()) {
        ++succeeded;
      } else if (r.error().code == ErrorCode::kPaymentRequired) {
        ++refused;
      } else {
        ++failed;
        ADD_FAILURE() << r.error().message;
      }
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  done = true;
  watcher.join();
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  EXPECT_EQ(succeeded.load(), 50);
  EXPECT_EQ(refused.load(), 50);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_GE(lowest.load(), 0);
  EXPECT_GT(observations.load(), 0);
  EXPECT_EQ(*ledger.balance("ws_1", "USD"), 0);
  EXPECT_EQ(walletSum("ws_1", "USD"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM ledger_transactions WHERE kind = 'charge'"), 50);
  EXPECT_TRUE(ledger.checkInvariants().ok());
  std::cout << "[ concurrency ] " << GetParam() << ": 100 charges in " << ms << " ms, "
            << observations.load() << " balance reads, lowest " << lowest.load() << "\n";
}

INSTANTIATE_TEST_SUITE_P(Engines, LedgerTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace mailjuke::core::billing
