// The payment provider port: takes card payments and gives money back. Implementations:
//  - sandbox (default, no network): card tokens tok_visa succeeds, tok_chargeDeclined declines,
//    tok_3ds_required needs a confirmation step (confirm() then succeeds), tok_fraud succeeds at
//    the provider but is held by the fraud rules before it gets there; other tokens decline with
//    invalid_payment_method. Refunds succeed at once.
//  - stripe (stripe_client.h): PaymentIntents and Refunds over HTTPS; its webhook endpoint is
//    webhooks.cpp. The card country of a pm_… payment method is retrieved from Stripe.
// A provider that cannot be reached returns kUnavailable (503): the caller credits nothing.
// Thread-safety: implementations are safe to share.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "base/result.h"

namespace mailjuke::core::billing {

struct ChargeRequest {
  std::string workspace_id;
  std::string payment_method;  // a card token
  int64_t amount = 0;          // minor units
  std::string currency;
  std::string description;
  std::string idempotency_key;  // the payment id: a retried call never charges twice
};

struct ChargeOutcome {
  // succeeded | declined | requires_action (3-D Secure) | processing (the provider has not
  // decided yet; a webhook or the confirm step settles it)
  std::string status;
  std::string provider_ref;
  std::string failure_code;  // declined: card_declined, insufficient_funds, …
};

struct RefundRequest {
  std::string payment_id;    // ours
  std::string provider_ref;  // the provider's id of the payment (Stripe: the PaymentIntent)
  int64_t amount = 0;        // minor units, ≤ what is left of the payment
  std::string currency;
  std::string reason;           // free text for our records; Stripe gets requested_by_customer
  std::string idempotency_key;  // the refund id: a retried call never refunds twice
};

struct RefundOutcome {
  std::string status;  // succeeded | pending (the provider sends it later) | failed
  std::string provider_ref;
  std::string failure_code;
};

class PaymentProvider {
 public:
  virtual ~PaymentProvider() = default;
  virtual std::string name() const = 0;
  virtual Result<ChargeOutcome> charge(const ChargeRequest& r) = 0;
  // Completes a payment that required action (3-D Secure) or was still processing: asks the
  // provider where it stands now.
  virtual Result<ChargeOutcome> confirm(const std::string& provider_ref) = 0;
  virtual Result<RefundOutcome> refund(const RefundRequest& r) = 0;
  // The issuing country of a card (ISO 3166 alpha-2, upper case) for the card_country_mismatch
  // fraud rule; nullopt when the provider does not know it. An error (provider unreachable) must
  // never stop the payment: the caller logs it and the rule stays silent.
  virtual Result<std::optional<std::string>> cardCountry(const std::string& payment_method) = 0;
};

std::unique_ptr<PaymentProvider> makeSandboxProvider();

}  // namespace mailjuke::core::billing
