// The payment provider port: takes card payments. Implementations:
//  - sandbox (default, no network): card tokens tok_visa succeeds, tok_chargeDeclined declines,
//    tok_3ds_required needs a confirmation step (confirm() then succeeds), tok_fraud succeeds at
//    the provider but is held by the fraud rules before it gets there; other tokens decline with
//    invalid_payment_method.
//  - stripe: charges are not built yet (kUnavailable); its webhook endpoint is (webhooks.cpp).
// Thread-safety: implementations are safe to share.
#pragma once

#include <memory>
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
  std::string status;  // succeeded | declined | requires_action
  std::string provider_ref;
  std::string failure_code;  // declined: card_declined, invalid_payment_method, …
};

class PaymentProvider {
 public:
  virtual ~PaymentProvider() = default;
  virtual std::string name() const = 0;
  virtual Result<ChargeOutcome> charge(const ChargeRequest& r) = 0;
  // Completes a payment that required action (3-D Secure).
  virtual Result<ChargeOutcome> confirm(const std::string& provider_ref) = 0;
};

std::unique_ptr<PaymentProvider> makeSandboxProvider();
std::unique_ptr<PaymentProvider> makeStripeProvider();
std::unique_ptr<PaymentProvider> makeProvider(const std::string& name);

}  // namespace mailjuke::core::billing
