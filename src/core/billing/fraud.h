// Fraud rules checked before a card is charged for a top-up. A hit holds the payment for an
// operator's decision (/api/v1/admin/fraud-reviews); nothing is refused or closed without a
// human (GDPR Art. 22). Rules (names as stored in fraud_reviews.rules):
//   test_card_fraud     the sandbox token tok_fraud
//   velocity            more than [billing] fraud_topups_per_hour top-ups in the last hour
//   large_first_top_up  a first top-up above fraud_first_topup_limit
//   many_declines       fraud_declines_per_day or more declined payments in the last 24 h
#pragma once

#include <string>
#include <vector>

#include "core/context.h"

namespace mailjuke::core::billing {

Result<std::vector<std::string>> fraudRules(store::Tx& tx, const BillingSettings& s,
                                            const std::string& workspace_id, int64_t amount,
                                            const std::string& payment_method, int64_t now);

}  // namespace mailjuke::core::billing
