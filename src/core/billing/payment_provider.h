// The payment provider port: takes card payments and gives money back. Implementations:
//  - sandbox (default, no network): card tokens tok_visa succeeds, tok_chargeDeclined declines,
//    tok_3ds_required needs a confirmation step (confirm() then succeeds), tok_fraud succeeds at
//    the provider but is held by the fraud rules before it gets there; other tokens decline with
//    invalid_payment_method. Refunds succeed at once. Customers are cus_sbx_{workspace}; a saved
//    card is pm_sbx.{token}.{customer} and only that customer can charge it off-session (the same
//    rule as Stripe's); tok_authenticationRequired saves, but every off-session charge of it
//    declines with authentication_required (on-session it needs the confirm step).
//  - stripe (stripe_client.h): Customers, SetupIntents, PaymentIntents and Refunds over HTTPS;
//    its webhook endpoint is webhooks.cpp. The card country of a pm_… payment method is retrieved
//    from Stripe.
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
  // The provider's customer (Stripe: cus_…): required for off-session charges and for saving.
  std::string customer;
  // On-session: keep the card on the customer for later off-session charges when this charge
  // succeeds (Stripe: setup_future_usage=off_session).
  bool save_for_future = false;
  // Nobody is at the keyboard (renewals, auto top-ups): the card must already be saved on
  // `customer`; a bank asking for authentication declines with authentication_required.
  bool off_session = false;
};

struct ChargeOutcome {
  // succeeded | declined | requires_action (3-D Secure) | processing (the provider has not
  // decided yet; a webhook or the confirm step settles it)
  std::string status;
  std::string provider_ref;
  std::string failure_code;  // declined: card_declined, insufficient_funds, …
  // With save_for_future and succeeded: the id to charge off-session later (Stripe: the same
  // pm_…; the sandbox: pm_sbx.{token}.{customer}). Empty otherwise.
  std::string saved_payment_method;
};

// The provider's customer for a workspace (Stripe: POST /v1/customers).
struct CustomerRequest {
  std::string workspace_id;
  std::string name, email;      // from the billing details; may be empty
  std::string idempotency_key;  // derived from the workspace: a retry never creates two
};

// Saving a card on a customer for off-session charges (Stripe: a SetupIntent).
struct SaveCardRequest {
  std::string customer;
  std::string payment_method;
  std::string idempotency_key;
};

struct SavedCard {
  std::string status;                 // saved | requires_action (the customer confirms) | declined
  std::string payment_method;         // saved: the id to charge off-session
  std::string provider_ref;           // Stripe: the SetupIntent (seti_…), for the confirm step
  std::string failure_code;           // declined
  std::string brand, last4, country;  // when the provider tells (may be empty)
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
  // Creates the provider's customer for a workspace (the caller stores its id and asks once).
  virtual Result<std::string> createCustomer(const CustomerRequest& r) = 0;
  // Attaches a card to a customer for off-session use.
  virtual Result<SavedCard> saveCard(const SaveCardRequest& r) = 0;
  // Asks where a save that required action stands now (after the customer confirmed).
  virtual Result<SavedCard> confirmSavedCard(const std::string& provider_ref) = 0;
};

std::unique_ptr<PaymentProvider> makeSandboxProvider();

}  // namespace mailjuke::core::billing
