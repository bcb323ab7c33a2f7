// Billing periods and plan-change proration, to the second, as Stripe computes it: when a
// subscription changes price at time `t` inside the period [start, end), the customer is
// credited the unused time on the old price and charged the remaining time on the new price:
//
//   credit = -round(old_price * (end - t) / (end - start))
//   charge = +round(new_price * (end - t) / (end - start))
//   total  = credit + charge
//
// Rounding rule: each line is rounded on its own to the nearest minor unit, halves away from
// zero, from the exact integer quotient (128-bit intermediate, no floating point); the total is
// the sum of the rounded lines, so invoice lines always add up to the invoice total.
//
// Periods follow a billing anchor: a monthly period starting on the 31st ends on the last day
// of a shorter month (Jan 31 → Feb 28/29) and the next one goes back to the 31st (→ Mar 31), as
// Stripe's billing_cycle_anchor does. All times are UTC Unix seconds; time of day is kept.
#pragma once

#include <cstdint>

#include "base/result.h"

namespace mailjuke::core::billing {

enum class Interval { kMonth, kYear };

// `ts` plus `months` calendar months, the day clamped to the target month's length.
int64_t addMonths(int64_t ts, int64_t months);
int64_t addYears(int64_t ts, int64_t years);
// The end of the `n`-th period after `anchor` (n = 1: the first period's end).
int64_t periodBoundary(int64_t anchor, Interval interval, int64_t n);

struct Period {
  int64_t start = 0;
  int64_t end = 0;  // exclusive
  int64_t seconds() const { return end - start; }
};
// The period of an anchored subscription that contains `at` (at ≥ anchor).
Period periodContaining(int64_t anchor, Interval interval, int64_t at);

// round(a * b / c), halves away from zero; c > 0.
int64_t mulDivRound(int64_t a, int64_t b, int64_t c);

struct Proration {
  int64_t credit = 0;  // ≤ 0: unused time on the old price
  int64_t charge = 0;  // ≥ 0: remaining time on the new price
  int64_t total = 0;   // credit + charge (negative on a downgrade: credit to the customer)
  int64_t remaining_seconds = 0;
  int64_t period_seconds = 0;
};

// Prices are per whole period, in minor units. kInvalid unless start ≤ at < end and prices ≥ 0.
Result<Proration> prorate(int64_t old_price, int64_t new_price, const Period& period, int64_t at);

}  // namespace mailjuke::core::billing
