// The wallet's auto top-up (docs/billing.md "Auto top-up"): when a charge leaves the balance below
// the threshold, BillingService::runAutoTopUps tops it up by `amount` with the saved card through
// the normal top-up path (fraud rules first), at most once per triggering charge; three
// consecutive failures switch it off. Every failure is e-mailed to the billing contacts.
#pragma once

#include <string>

#include "base/json.h"
#include "core/context.h"

namespace mailjuke::core::billing {

inline constexpr int kAutoTopUpMaxFailures = 3;

// {enabled, threshold, amount, payment_method, consecutive_failures, disabled_reason,
//  last_payment_id, updated_at}; enabled false (and the rest null) when never set.
Result<Json> autoTopUpJson(store::Tx& tx, const std::string& ws, const std::string& currency);

}  // namespace mailjuke::core::billing
