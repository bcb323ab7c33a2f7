#include "core/billing/payment_provider.h"

#include "base/ids.h"
#include "core/billing/fraud.h"

namespace mailjuke::core::billing {
namespace {

constexpr std::string_view kSavedPrefix = "pm_sbx.";

// pm_sbx.{token}.{customer} → {token, customer}; a plain token → {token, ""}.
std::pair<std::string, std::string> splitSaved(const std::string& pm) {
  if (!pm.starts_with(kSavedPrefix)) return {pm, ""};
  std::string rest = pm.substr(kSavedPrefix.size());
  auto dot = rest.find('.');
  if (dot == std::string::npos) return {rest, ""};
  return {rest.substr(0, dot), rest.substr(dot + 1)};
}

bool knownCard(const std::string& token) {
  return token == "tok_visa" || token == "tok_fraud" || token == "tok_3ds_required" ||
         token == "tok_chargeDeclined" || token == "tok_authenticationRequired" ||
         isCountryCardToken(token);
}

class SandboxProvider final : public PaymentProvider {
 public:
  std::string name() const override { return "sandbox"; }
  Result<ChargeOutcome> charge(const ChargeRequest& r) override {
    std::string ref = "sbx_" + r.idempotency_key;
    auto [token, owner] = splitSaved(r.payment_method);
    if (!owner.empty() && owner != r.customer)  // a saved card of another customer (Stripe: 400)
      return ChargeOutcome{"declined", ref, "payment_method_not_attached", ""};
    if (r.off_session) {
      // Stripe's rule: off-session needs the customer and a card saved on it.
      if (r.customer.empty() || owner != r.customer)
        return ChargeOutcome{"declined", ref, "payment_method_not_attached", ""};
      if (token == "tok_authenticationRequired" || token == "tok_3ds_required")
        return ChargeOutcome{"declined", ref, "authentication_required", ""};
    }
    if ((r.save_for_future || !owner.empty()) && r.customer.empty())
      return ChargeOutcome{"declined", ref, "customer_required", ""};
    ChargeOutcome out{"declined", ref, "invalid_payment_method", ""};
    // A card to save that needs 3-D Secure first: the reference carries it to confirm().
    const std::string saving =
        r.save_for_future ? std::string(kSavedPrefix) + token + "." + r.customer : "";
    if (token == "tok_visa" || token == "tok_fraud" ||
        isCountryCardToken(token))  // tok_de, tok_gb, …: a Visa from that country
      out = ChargeOutcome{"succeeded", ref, "", ""};
    else if (token == "tok_3ds_required" || token == "tok_authenticationRequired")
      out = ChargeOutcome{"requires_action", saving.empty() ? ref : ref + "~" + saving, "", ""};
    else if (token == "tok_chargeDeclined")
      out = ChargeOutcome{"declined", ref, "card_declined", ""};
    if (out.status == "succeeded") out.saved_payment_method = saving;
    return out;
  }
  Result<ChargeOutcome> confirm(const std::string& provider_ref) override {
    ChargeOutcome out{"succeeded", provider_ref, "", ""};
    auto mark = provider_ref.find('~');
    if (mark != std::string::npos) out.saved_payment_method = provider_ref.substr(mark + 1);
    return out;
  }
  Result<RefundOutcome> refund(const RefundRequest& r) override {
    return RefundOutcome{"succeeded", "sbx_" + r.idempotency_key, ""};
  }
  Result<std::optional<std::string>> cardCountry(const std::string& payment_method) override {
    return billing::cardCountry(splitSaved(payment_method).first);  // tok_visa → US, tok_de → DE
  }
  Result<std::string> createCustomer(const CustomerRequest& r) override {
    if (r.workspace_id.empty()) return Error::invalid("workspace", "is required");
    return "cus_sbx_" + r.workspace_id;  // the same for every retry, like an Idempotency-Key
  }
  // tok_chargeDeclined saves (like Stripe's "attaches, but charges fail" test card) and its
  // charges decline; tok_3ds_required needs the confirm step; unknown tokens are refused.
  Result<SavedCard> saveCard(const SaveCardRequest& r) override {
    if (r.customer.empty()) return Error::invalid("customer", "is required");
    auto [token, owner] = splitSaved(r.payment_method);
    SavedCard out;
    out.provider_ref = "seti_sbx_" + r.idempotency_key;
    if (!owner.empty() && owner != r.customer) {
      out.status = "declined";
      out.failure_code = "payment_method_not_attached";  // saved on another customer
      return out;
    }
    if (!knownCard(token)) {
      out.status = "declined";
      out.failure_code = "invalid_payment_method";
      return out;
    }
    out.payment_method = std::string(kSavedPrefix) + token + "." + r.customer;
    out.brand = "visa";
    out.last4 = token == "tok_chargeDeclined" ? "0341"
                : token == "tok_3ds_required" ? "3155"
                                              : "4242";
    out.country = billing::cardCountry(token).value_or("");
    // Stripe answers setup_intent ids with the payment method inside; the confirm step below
    // finds the card again from the reference.
    if (token == "tok_3ds_required") {
      out.status = "requires_action";
      out.provider_ref = "seti_sbx_" + out.payment_method;
      return out;
    }
    out.status = "saved";
    return out;
  }
  Result<SavedCard> confirmSavedCard(const std::string& provider_ref) override {
    std::string prefix = "seti_sbx_";
    if (!provider_ref.starts_with(prefix + std::string(kSavedPrefix)))
      return Error::invalid("setup", "no card waiting for confirmation");
    SavedCard out;
    out.status = "saved";
    out.provider_ref = provider_ref;
    out.payment_method = provider_ref.substr(prefix.size());
    auto [token, owner] = splitSaved(out.payment_method);
    out.brand = "visa";
    out.last4 = "3155";
    out.country = billing::cardCountry(token).value_or("");
    return out;
  }
};

}  // namespace

std::unique_ptr<PaymentProvider> makeSandboxProvider() {
  return std::make_unique<SandboxProvider>();
}

}  // namespace mailjuke::core::billing
