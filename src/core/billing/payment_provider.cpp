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
  Result<RefundOutcome> refund(const RefundRequest& r) override {
    return RefundOutcome{"succeeded", "sbx_" + r.idempotency_key, ""};
  }
  Result<std::optional<std::string>> cardCountry(const std::string& payment_method) override {
    return billing::cardCountry(payment_method);  // tok_visa → US, tok_de → DE, …
  }
};

}  // namespace

std::unique_ptr<PaymentProvider> makeSandboxProvider() {
  return std::make_unique<SandboxProvider>();
}

}  // namespace mailjuke::core::billing
