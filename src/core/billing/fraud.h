// Fraud rules checked before a card is charged for a top-up. A hit holds the payment for an
// operator's decision (/api/v1/admin/fraud-reviews); nothing is refused or closed without a
// human (GDPR Art. 22). Rules (names as stored in fraud_reviews.rules):
//   test_card_fraud        the sandbox token tok_fraud
//   velocity               more than [billing] fraud_topups_per_hour top-ups in the last hour
//   large_first_top_up     a first top-up above fraud_first_topup_limit
//   many_declines          fraud_declines_per_day or more declined payments in the last 24 h
//   card_country_mismatch  the card's country differs from the billing-details country (both
//                          known; the provider's cardCountry(): the sandbox token, Stripe's
//                          payment method card.country)
//   disposable_email       an owner's or the billing e-mail's domain is a disposable-mail domain
//                          (the embedded list plus [billing] disposable_email_domains)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/context.h"

namespace mailjuke::core::billing {

// `card_country`: the card's issuing country from the payment provider
// (PaymentProvider::cardCountry, asked before the transaction), nullopt when unknown.
Result<std::vector<std::string>> fraudRules(store::Tx& tx, const BillingSettings& s,
                                            const std::string& workspace_id, int64_t amount,
                                            const std::string& payment_method,
                                            const std::optional<std::string>& card_country,
                                            int64_t now);

// The issuing country (ISO 3166 alpha-2) of a sandbox card token, like Stripe's test tokens:
// tok_visa (and the other sandbox tokens) are US cards, tok_<cc> (tok_de, tok_gb, tok_us, …) a
// Visa from that country. nullopt for tokens the sandbox does not know.
std::optional<std::string> cardCountry(const std::string& payment_method);
// tok_<cc>: a sandbox Visa from country cc (accepted by the sandbox provider).
bool isCountryCardToken(const std::string& payment_method);
// True when `email_or_domain`'s domain (or a parent of it) is a disposable-mail domain.
bool isDisposableEmailDomain(const std::string& email_or_domain);

}  // namespace mailjuke::core::billing
