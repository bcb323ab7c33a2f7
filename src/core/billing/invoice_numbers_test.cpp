#include "core/billing/invoice_numbers.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/mail/mail_test_util.h"

namespace mailjuke::core::billing {
namespace {

TEST(InvoiceNumberTest, SeriesAndFormat) {
  EXPECT_EQ(invoiceSeries("MJ", 1767225600), "MJ-2026");  // 2026-01-01T00:00:00Z
  EXPECT_EQ(invoiceSeries("MJ", 1767225599), "MJ-2025");  // one second earlier
  EXPECT_EQ(formatInvoiceNumber("MJ-2026", 123), "MJ-2026-000123");
  EXPECT_EQ(formatInvoiceNumber("MJ-2026", 1), "MJ-2026-000001");
  EXPECT_EQ(formatInvoiceNumber("MJ-2026", 1234567), "MJ-2026-1234567");
}

class InvoiceNumbersTest : public testing::MailDbTest {};

// 8 threads finalise invoices concurrently; every 5th finalisation fails after taking its
// number and rolls back. The committed numbers are exactly 1..N, no gap, no duplicate.
TEST_P(InvoiceNumbersTest, GaplessUnderConcurrentFinalisation) {
  auto st = db_->run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY(tx.exec("CREATE TABLE finalised (number TEXT PRIMARY KEY, seq BIGINT NOT NULL)"));
    return {};
  });
  ASSERT_TRUE(st.ok()) << st.error().message;
  constexpr int kThreads = 8, kEach = 40;
  std::atomic<int> committed{0}, rolled_back{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        bool fail = (t * kEach + i) % 5 == 0;
        auto r = db_->run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
          MJ_TRY_ASSIGN(int64_t n, nextInvoiceNumber(tx, "MJ-2026"));
          MJ_TRY(tx.exec("INSERT INTO finalised (number, seq) VALUES (?, ?)",
                         {formatInvoiceNumber("MJ-2026", n), n}));
          if (fail) return Error::make(ErrorCode::kConflict, "finalisation failed");
          return {};
        });
        if (r.ok()) {
          ++committed;
        } else if (r.error().code == ErrorCode::kConflict) {
          ++rolled_back;
        } else {
          ++errors;
          ADD_FAILURE() << r.error().message;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(committed.load() + rolled_back.load(), kThreads * kEach);
  EXPECT_EQ(rolled_back.load(), kThreads * kEach / 5);
  auto rows = db_->read<store::Rows>(
      [&](store::Tx& tx) { return tx.query("SELECT number, seq FROM finalised ORDER BY seq"); });
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), size_t(committed.load()));
  for (size_t i = 0; i < rows->size(); ++i) {
    ASSERT_EQ((*rows)[i].integer(1), int64_t(i + 1));
    ASSERT_EQ((*rows)[i].text(0), formatInvoiceNumber("MJ-2026", int64_t(i + 1)));
  }
  EXPECT_EQ(count("SELECT last_number FROM invoice_series WHERE series = 'MJ-2026'"),
            committed.load());
  // Series are independent.
  auto other = db_->write<int64_t>([&](store::Tx& tx) { return nextInvoiceNumber(tx, "MJ-2027"); });
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(*other, 1);
}

INSTANTIATE_TEST_SUITE_P(Engines, InvoiceNumbersTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace mailjuke::core::billing
