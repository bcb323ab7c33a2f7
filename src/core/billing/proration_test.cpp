#include "core/billing/proration.h"

#include <gtest/gtest.h>

#include <ctime>

namespace mailjuke::core::billing {
namespace {

// An independent UTC conversion (libc timegm) for the expectations.
int64_t utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  struct tm tm {};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<int64_t>(timegm(&tm));
}

struct Golden {
  const char* name;
  int64_t old_price, new_price, start, end, at;
  int64_t credit, charge, total;
};

// Expected amounts were computed with exact fractions (Python's Fraction) and the rounding rule:
// each line to the nearest minor unit, halves away from zero.
TEST(ProrationTest, GoldenCases) {
  const Golden cases[] = {
      // The security-and-money.md example: $10 → $20 monthly at half period (30-day April).
      {"upgrade half of 30 days", 1000, 2000, utc(2026, 4, 1), utc(2026, 5, 1), utc(2026, 4, 16),
       -500, 1000, 500},
      // Starter → Growth, 14 of 28 days left in February 2026.
      {"upgrade 28-day month", 3900, 9900, utc(2026, 2, 1), utc(2026, 3, 1), utc(2026, 2, 15),
       -1950, 4950, 3000},
      // 19 of 29 days left in February 2028 (leap): 2555.17 and 6486.21.
      {"upgrade 29-day month", 3900, 9900, utc(2028, 2, 1), utc(2028, 3, 1), utc(2028, 2, 11),
       -2555, 6486, 3931},
      // Growth → Starter with 20.5 of 31 days left: 6546.77 and 2578.96; a net credit.
      {"downgrade 31-day month", 9900, 3900, utc(2026, 1, 1), utc(2026, 2, 1), utc(2026, 1, 11, 12),
       -6547, 2579, -3968},
      // Pro → Growth to the second in a 31-day period (Jul 15 08:30 → Aug 15 08:30).
      {"downgrade to the second", 29900, 9900, utc(2026, 7, 15, 8, 30), utc(2026, 8, 15, 8, 30),
       utc(2026, 7, 20, 13, 14, 15), -24887, 8240, -16647},
      // Yearly Starter → Growth, 181 of 365 days left: 19340.27 and 49093.15.
      {"yearly 365 days", 39000, 99000, utc(2026, 3, 1), utc(2027, 3, 1), utc(2026, 9, 1), -19340,
       49093, 29753},
      // Yearly over a leap day: 183 of 366 days is exactly half.
      {"yearly 366 days", 39000, 99000, utc(2027, 6, 1), utc(2028, 6, 1), utc(2027, 12, 1), -19500,
       49500, 30000},
      // One second left: both lines round to zero.
      {"last second", 3900, 9900, utc(2026, 4, 1), utc(2026, 5, 1), utc(2026, 5, 1) - 1, 0, 0, 0},
      // At the very start: the whole old price back, the whole new price charged.
      {"at period start", 3900, 9900, utc(2026, 4, 1), utc(2026, 5, 1), utc(2026, 4, 1), -3900,
       9900, 6000},
  };
  for (const auto& c : cases) {
    auto p = prorate(c.old_price, c.new_price, {c.start, c.end}, c.at);
    ASSERT_TRUE(p.ok()) << c.name << ": " << p.error().message;
    EXPECT_EQ(p->credit, c.credit) << c.name;
    EXPECT_EQ(p->charge, c.charge) << c.name;
    EXPECT_EQ(p->total, c.total) << c.name;
    EXPECT_EQ(p->total, p->credit + p->charge) << c.name;
    EXPECT_EQ(p->remaining_seconds, c.end - c.at) << c.name;
    EXPECT_EQ(p->period_seconds, c.end - c.start) << c.name;
  }
}

TEST(ProrationTest, RoundsHalvesAwayFromZero) {
  EXPECT_EQ(mulDivRound(1, 1, 2), 1);    // 0.5
  EXPECT_EQ(mulDivRound(-1, 1, 2), -1);  // -0.5
  EXPECT_EQ(mulDivRound(3, 1, 2), 2);    // 1.5
  EXPECT_EQ(mulDivRound(5, 1, 3), 2);    // 1.67
  EXPECT_EQ(mulDivRound(4, 1, 3), 1);    // 1.33
  EXPECT_EQ(mulDivRound(-4, 1, 3), -1);  // -1.33
  // No overflow with large amounts times long periods (128-bit intermediate).
  EXPECT_EQ(mulDivRound(int64_t(1) << 50, 31622400, 31622400), int64_t(1) << 50);
  auto p = prorate(1, 1, {0, 2}, 1);  // half a minor unit each way
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->credit, -1);
  EXPECT_EQ(p->charge, 1);
}

TEST(ProrationTest, RefusesChangesOutsideThePeriod) {
  Period april{utc(2026, 4, 1), utc(2026, 5, 1)};
  EXPECT_EQ(prorate(1, 2, april, april.end).error().code, ErrorCode::kInvalid);
  EXPECT_EQ(prorate(1, 2, april, april.start - 1).error().code, ErrorCode::kInvalid);
  EXPECT_EQ(prorate(-1, 2, april, april.start).error().code, ErrorCode::kInvalid);
  EXPECT_EQ(prorate(1, 2, {5, 5}, 5).error().code, ErrorCode::kInvalid);
}

TEST(PeriodTest, AddMonthsClampsTheDayAndKeepsTheTime) {
  EXPECT_EQ(addMonths(utc(2026, 1, 31, 10), 1), utc(2026, 2, 28, 10));
  EXPECT_EQ(addMonths(utc(2028, 1, 31, 10), 1), utc(2028, 2, 29, 10));
  EXPECT_EQ(addMonths(utc(2026, 3, 31), 1), utc(2026, 4, 30));
  EXPECT_EQ(addMonths(utc(2026, 1, 31, 23, 59, 59), 2), utc(2026, 3, 31, 23, 59, 59));
  EXPECT_EQ(addMonths(utc(2026, 12, 15), 1), utc(2027, 1, 15));
  EXPECT_EQ(addMonths(utc(2026, 1, 15), -1), utc(2025, 12, 15));
  EXPECT_EQ(addMonths(utc(2026, 5, 10), 12), utc(2027, 5, 10));
  EXPECT_EQ(addYears(utc(2028, 2, 29, 6), 1), utc(2029, 2, 28, 6));
  EXPECT_EQ(addYears(utc(2028, 2, 29), 4), utc(2032, 2, 29));
  EXPECT_EQ(addYears(utc(2026, 7, 1), 1), utc(2027, 7, 1));
}

TEST(PeriodTest, AnchoredMonthlyPeriodsReturnToTheAnchorDay) {
  int64_t anchor = utc(2026, 1, 31, 12);
  EXPECT_EQ(periodBoundary(anchor, Interval::kMonth, 1), utc(2026, 2, 28, 12));
  EXPECT_EQ(periodBoundary(anchor, Interval::kMonth, 2), utc(2026, 3, 31, 12));
  EXPECT_EQ(periodBoundary(anchor, Interval::kMonth, 3), utc(2026, 4, 30, 12));
  Period p = periodContaining(anchor, Interval::kMonth, utc(2026, 3, 1));
  EXPECT_EQ(p.start, utc(2026, 2, 28, 12));
  EXPECT_EQ(p.end, utc(2026, 3, 31, 12));
  EXPECT_EQ(p.seconds(), 31 * 86400);
  // Boundaries belong to the period they start.
  p = periodContaining(anchor, Interval::kMonth, utc(2026, 3, 31, 12));
  EXPECT_EQ(p.start, utc(2026, 3, 31, 12));
  p = periodContaining(anchor, Interval::kMonth, anchor);
  EXPECT_EQ(p.start, anchor);
  EXPECT_EQ(p.end, utc(2026, 2, 28, 12));
  // Far ahead, and yearly.
  p = periodContaining(anchor, Interval::kMonth, utc(2031, 6, 30, 13));
  EXPECT_EQ(p.start, utc(2031, 6, 30, 12));
  EXPECT_EQ(p.end, utc(2031, 7, 31, 12));
  int64_t leap_anchor = utc(2028, 2, 29);
  p = periodContaining(leap_anchor, Interval::kYear, utc(2030, 1, 1));
  EXPECT_EQ(p.start, utc(2029, 2, 28));
  EXPECT_EQ(p.end, utc(2030, 2, 28));
  p = periodContaining(leap_anchor, Interval::kYear, utc(2032, 3, 1));
  EXPECT_EQ(p.start, utc(2032, 2, 29));
  // Every month of several years: consecutive, contiguous, 28 to 31 days.
  int64_t at = anchor;
  for (int i = 0; i < 120; ++i) {
    Period q = periodContaining(anchor, Interval::kMonth, at);
    EXPECT_EQ(q.start, at);
    EXPECT_GE(q.seconds(), 28 * 86400);
    EXPECT_LE(q.seconds(), 31 * 86400);
    at = q.end;
  }
}

}  // namespace
}  // namespace mailjuke::core::billing
