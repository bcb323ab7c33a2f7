#include "core/billing/proration.h"

#include <algorithm>

namespace mailjuke::core::billing {
namespace {

// Howard Hinnant's civil calendar algorithms (proleptic Gregorian, days since 1970-01-01).
int64_t daysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void civilFromDays(int64_t z, int64_t& y, int64_t& m, int64_t& d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = yoe + era * 400 + (m <= 2);
}

bool leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int64_t daysInMonth(int64_t y, int64_t m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

int64_t floorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

}  // namespace

int64_t addMonths(int64_t ts, int64_t months) {
  int64_t days = floorDiv(ts, 86400), tod = ts - days * 86400;
  int64_t y, m, d;
  civilFromDays(days, y, m, d);
  int64_t index = y * 12 + (m - 1) + months;
  int64_t ny = floorDiv(index, 12), nm = index - ny * 12 + 1;
  int64_t nd = std::min(d, daysInMonth(ny, nm));
  return daysFromCivil(ny, nm, nd) * 86400 + tod;
}

int64_t addYears(int64_t ts, int64_t years) { return addMonths(ts, years * 12); }

int64_t periodBoundary(int64_t anchor, Interval interval, int64_t n) {
  return interval == Interval::kMonth ? addMonths(anchor, n) : addYears(anchor, n);
}

Period periodContaining(int64_t anchor, Interval interval, int64_t at) {
  // Estimate from the average length, then step to the exact boundary.
  int64_t avg = interval == Interval::kMonth ? 2629746 : 31556952;
  int64_t n = at > anchor ? (at - anchor) / avg : 0;
  while (n > 0 && periodBoundary(anchor, interval, n) > at) --n;
  while (periodBoundary(anchor, interval, n + 1) <= at) ++n;
  return {periodBoundary(anchor, interval, n), periodBoundary(anchor, interval, n + 1)};
}

int64_t mulDivRound(int64_t a, int64_t b, int64_t c) {
  __int128 num = static_cast<__int128>(a) * b;
  bool negative = num < 0;
  if (negative) num = -num;
  __int128 q = num / c, r = num % c;
  if (2 * r >= c) ++q;  // half away from zero
  return static_cast<int64_t>(negative ? -q : q);
}

Result<Proration> prorate(int64_t old_price, int64_t new_price, const Period& period, int64_t at) {
  if (old_price < 0 || new_price < 0) return Error::invalid("price", "prices are not negative");
  if (period.end <= period.start) return Error::invalid("period", "empty period");
  if (at < period.start || at >= period.end)
    return Error::invalid("at", "the change is not inside the current period");
  Proration p;
  p.period_seconds = period.seconds();
  p.remaining_seconds = period.end - at;
  p.credit = -mulDivRound(old_price, p.remaining_seconds, p.period_seconds);
  p.charge = mulDivRound(new_price, p.remaining_seconds, p.period_seconds);
  p.total = p.credit + p.charge;
  return p;
}

}  // namespace mailjuke::core::billing
