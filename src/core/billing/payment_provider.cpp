#include "core/billing/payment_provider.h"

#include "base/ids.h"
#include "core/billing/fraud.h"

namespace mailjuke::core::billing {
namespace {

class SandboxProvider final : public PaymentProvider {
 public:
  std::string name() const override { return "sandbox"; }
  Result<ChargeOutcome> charge(const ChargeRequest& r) override {
    std::string ref = "sbx_" + r.idempotency_key;
    if (r.payment_method == "tok_visa" || r.payment_method == "tok_fraud" ||
        isCountryCardToken(r.payment_method))  // tok_de, tok_gb, …: a Visa from that country
      return ChargeOutcome{"succeeded", ref, ""};
    if (r.payment_method == "tok_3ds_required") return ChargeOutcome{"requires_action", ref, ""};
    if (r.payment_method == "tok_chargeDeclined")
      return ChargeOutcome{"declined", ref, "card_declined"};
    return ChargeOutcome{"declined", ref, "invalid_payment_method"};
  }
  Result<ChargeOutcome> confirm(const std::string& provider_ref) override {
    return ChargeOutcome{"succeeded", provider_ref, ""};
  }
};

class StripeProvider final : public PaymentProvider {
 public:
  std::string name() const override { return "stripe"; }
  Result<ChargeOutcome> charge(const ChargeRequest&) override {
    return Error::make(ErrorCode::kUnavailable,
                       "card payments through Stripe are not available yet; top up the wallet");
  }
  Result<ChargeOutcome> confirm(const std::string&) override {
    return Error::make(ErrorCode::kUnavailable,
                       "card payments through Stripe are not available yet");
  }
};

}  // namespace

std::unique_ptr<PaymentProvider> makeSandboxProvider() {
  return std::make_unique<SandboxProvider>();
}
std::unique_ptr<PaymentProvider> makeStripeProvider() { return std::make_unique<StripeProvider>(); }
std::unique_ptr<PaymentProvider> makeProvider(const std::string& name) {
  if (name == "stripe") return makeStripeProvider();
  return makeSandboxProvider();
}

}  // namespace mailjuke::core::billing
