// Billing for workspaces (docs/billing.md): subscriptions with proration, invoices, billing
// details, the wallet and its top-ups through the payment provider, fraud reviews, Stripe
// webhooks, refunds and the renewal run. Every call authorizes the principal (billing.read to look,
// billing.manage to change: owner and billing roles); another workspace's objects are "not
// found". Money moves only through the Ledger, inside the transaction that records why.
//
// Card payments always land in the wallet first (a top-up: cash_clearing → wallet), and what
// they pay for is then charged from the wallet (wallet → revenue) in the transaction that
// changes the subscription: if that transaction fails, the money is visibly in the wallet, never
// lost or taken twice.
//
// Thread-safety: stateless apart from the references it holds; calls block on SQL and on the
// payment provider, so run them on the worker pool.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/json.h"
#include "core/access/principal.h"
#include "core/billing/ledger.h"
#include "core/billing/payment_provider.h"
#include "core/billing/proration.h"
#include "core/context.h"
#include "core/domains/registrar.h"

namespace mailjuke::core::billing {

struct SubscriptionChange {
  std::string plan;
  std::optional<Interval> interval;           // default: the current one, else month
  std::optional<std::string> payment_method;  // card token, kept for renewals
  bool preview = false;
};

struct BillingDetails {
  std::string legal_name, address, country, vat_id, email;
};

struct TopUpResult {
  int status = 201;  // 201 paid, 202 held for review or waiting for confirmation
  Json body;
};

// POST …/invoices/{inv}/credit-notes: `amount` (one line), or `lines`, or neither (all that is
// left to credit); `reason` is required.
struct CreditNoteInput {
  std::optional<int64_t> amount;
  std::vector<std::pair<std::string, int64_t>> lines;  // description, amount (> 0)
  std::string reason;
};

// PUT …/wallet/auto-top-up.
struct AutoTopUpInput {
  bool enabled = false;
  int64_t threshold = 0, amount = 0;
  std::string payment_method;  // empty: the workspace's saved card
};

// How a card is charged: on the provider's customer, saving the card on success (the customer
// is present), or off-session (nobody is: the card must be saved on the customer).
struct CardUse {
  std::string customer;
  bool save = false;
  bool off_session = false;
};

// What a failed collection means for the customer, for notices: authentication_required (the
// bank wants the cardholder, which an off-session charge cannot do) says how to pay on-session.
std::string failureAdvice(const std::string& failure_code, bool auto_top_up);
// A card given for automatic payments (`purpose`: "the renewals", "automatic top-ups") that
// could not be saved: 402 on the payment_method field; `then` is the step after confirming.
Error cardNotSaved(const SavedCard& card, const std::string& purpose, const std::string& then);

struct RenewalReport {
  int renewed = 0, failed = 0, recovered = 0, canceled = 0, notices = 0;
  int domains_renewed = 0, domains_failed = 0;  // purchased domains at expiry
  int domain_notices = 0;                       // 30- and 7-day notices before a domain's expiry
};

class BillingService {
 public:
  BillingService(CoreContext& ctx, PaymentProvider& provider)
      : ctx_(ctx), provider_(provider), ledger_(ctx) {}

  // Subscriptions (subscriptions.cpp).
  Result<Json> subscription(const Principal& p, const std::string& ws);
  // Subscribe, change plan/interval (prorated), resume a cancellation (same plan), or retry a
  // past-due payment (same plan). With preview: what it would cost, changing nothing.
  Result<Json> changeSubscription(const Principal& p, const std::string& ws,
                                  const SubscriptionChange& in);
  // Cancel at the end of the current period.
  Result<Json> cancelSubscription(const Principal& p, const std::string& ws);

  // Invoices and billing details (billing_documents.cpp).
  Result<Page> invoices(const Principal& p, const std::string& ws,
                        const std::optional<std::string>& cursor, int limit);
  Result<Json> invoice(const Principal& p, const std::string& ws, const std::string& inv);
  Result<Json> billingDetails(const Principal& p, const std::string& ws);
  Result<Json> setBillingDetails(const Principal& p, const std::string& ws,
                                 const BillingDetails& d);

  // Wallet (wallet.cpp).
  Result<Json> wallet(const Principal& p, const std::string& ws,
                      const std::optional<std::string>& cursor, int limit);
  Result<TopUpResult> topUp(const Principal& p, const std::string& ws, int64_t amount,
                            const std::string& payment_method);
  Result<Json> confirmTopUp(const Principal& p, const std::string& ws, const std::string& pay);

  // Operators (fraud_reviews.cpp).
  Result<Page> fraudReviews(const std::optional<std::string>& status,
                            const std::optional<std::string>& cursor, int limit);
  Result<Json> decideFraudReview(const Principal& p, const std::string& id, bool approve,
                                 const std::string& note);

  // --- Refunds (refunds.cpp) ---
  // Operators: payments, newest first, with what is refunded and refundable (?workspace=).
  Result<Page> payments(const std::optional<std::string>& workspace,
                        const std::optional<std::string>& cursor, int limit);
  // Operators: refunds `amount` (default: all that is left) of a payment to its card and takes
  // it out of the wallet; 409 naming what is refundable when the payment or the wallet has
  // less. Audited in the workspace's log.
  Result<Json> refundPayment(const Principal& p, const std::string& pay,
                             std::optional<int64_t> amount, const std::string& reason);
  // Owner/billing: unused wallet credit (default: all that came from cards) back to the card
  // payments it came from, newest first; credits from other sources are not paid out (409).
  Result<Json> refundWalletCredit(const Principal& p, const std::string& ws,
                                  std::optional<int64_t> amount);
  // --- end refunds ---

  // POST /api/v1/billing/webhooks/stripe (webhooks.cpp): verified, deduplicated, applied.
  Result<Json> stripeWebhook(std::string_view signature, const std::string& body);

  // Credit notes (credit_notes.cpp): issued for open or paid invoices, immutable, numbered in
  // their own gapless series ({invoice_prefix}CN-YYYY-NNNNNN).
  Result<Json> issueCreditNote(const Principal& p, const std::string& ws, const std::string& inv,
                               const CreditNoteInput& in);
  Result<Page> creditNotes(const Principal& p, const std::string& ws,
                           const std::optional<std::string>& invoice,
                           const std::optional<std::string>& cursor, int limit);
  Result<Json> creditNote(const Principal& p, const std::string& ws, const std::string& cn);

  // Auto top-up (auto_top_up.cpp): settings, and the top-up a charge below the threshold
  // triggers (runAutoTopUps, from the job runner tick).
  Result<Json> setAutoTopUp(const Principal& p, const std::string& ws, const AutoTopUpInput& in);
  Result<int> runAutoTopUps();

  // The saved card (saved_cards.cpp): renewals, their retries and auto top-ups charge it
  // off-session on the workspace's provider customer (created the first time a card is saved).
  // GET …/billing/payment-method.
  Result<Json> savedCard(const Principal& p, const std::string& ws);
  // PUT …/billing/payment-method: saves `pm` on the customer (a SetupIntent) and makes it the
  // card of the subscription and of auto top-up. 200 saved, 202 the customer must confirm it
  // (POST …/billing/payment-method/confirm), 402 declined.
  Result<TopUpResult> replaceSavedCard(const Principal& p, const std::string& ws,
                                       const std::string& pm);
  Result<TopUpResult> confirmSavedCard(const Principal& p, const std::string& ws);

  // The registrar purchased domains are renewed through at expiry (domain_renewals.cpp); none:
  // renewals are only charged and recorded here.
  void setRegistrar(Registrar* registrar) { registrar_ = registrar; }

  // The periodic renewal run (renewal.cpp), at ctx.clock's now: renewal notices, renewals of
  // periods that ended, retries of past-due payments, cancellations.
  Result<RenewalReport> runRenewals();

 private:
  struct CardPayment {
    std::string payment_id;
    std::string status;  // succeeded | failed | requires_action
    std::string failure_code;
    std::string saved_payment_method;  // with CardUse::save and succeeded: the saved card
  };
  // Charges a card and, when it succeeds, credits the wallet (a top-up) in one transaction; a
  // card saved by the charge becomes the workspace's saved card in that transaction.
  Result<CardPayment> chargeCard(const std::string& ws, int64_t amount, const std::string& pm,
                                 const std::string& purpose,
                                 const std::optional<std::string>& invoice_id,
                                 const CardUse& use = {});
  // saved_cards.cpp: the workspace's customer at the provider, created once (lazily).
  Result<std::string> ensureCustomer(const std::string& ws);
  // Saves `pm` on the workspace's customer (SetupIntent); saved → stored as the workspace's
  // card (also on its subscription and auto top-up), requires_action → kept as pending.
  Result<SavedCard> saveCardFor(const std::string& ws, const std::string& pm);
  Status storeSavedCard(store::Tx& tx, const std::string& ws, const SavedCard& card, int64_t now);
  // The customer and saved card to charge off-session; `pm` (the subscription's or auto
  // top-up's card) is saved first when it is not the saved card yet (rows from before saved
  // cards). nullopt with `failure` set when there is none or it cannot be saved.
  Result<std::optional<CardUse>> offSessionCard(const std::string& ws,
                                                const std::optional<std::string>& pm,
                                                std::string& saved_pm, std::string& failure);
  // Credits the wallet for a payment that the provider reports as succeeded (idempotent).
  Status creditPayment(store::Tx& tx, const std::string& payment_id, int64_t now);
  // Pays an open invoice: the wallet first (when enabled and enough), else the card.
  // off_session: the renewal job (the saved card, on the customer); else the customer is
  // present (PUT …/subscription retry): the card is charged on-session and saved.
  Result<bool> payInvoice(const std::string& ws, const std::string& invoice_id, int64_t total,
                          const std::optional<std::string>& pm, std::string& failure,
                          bool off_session = true);
  // Charges the wallet for an open invoice and marks it paid, inside tx.
  Status settleFromWallet(store::Tx& tx, const std::string& ws, const std::string& invoice_id,
                          int64_t total, const std::string& paid_with, int64_t now);
  // Refunds (refunds.cpp): one refund of one payment; ws_only limits it to that workspace.
  Result<Json> refundOne(const Principal& p, const std::string& pay, std::optional<int64_t> amount,
                         const std::string& reason, const std::string& source,
                         const std::optional<std::string>& ws_only);
  // charge.refunded: the provider has refunded `refunded_total` of the payment in all; takes what
  // goes beyond our recorded refunds out of the wallet.
  Status applyProviderRefund(store::Tx& tx, const std::string& pay, int64_t refunded_total,
                             const std::string& charge_ref, int64_t now);
  // charge.refund.updated / refund.updated / refund.failed (refund_updates.cpp): a refund that
  // ended failed or canceled at the provider is applied back (its ledger entry reversed, the
  // refund marked failed, audited). True when it changed something.
  Result<bool> applyRefundUpdate(store::Tx& tx, const Json& refund, int64_t now);
  Status notifyBilling(store::Tx& tx, const std::string& ws, const std::string& kind,
                       const std::string& subject, const std::string& text, int64_t now);
  Result<Json> subscriptionJson(store::Tx& tx, const std::string& ws);
  Result<bool> renewOne(const std::string& sub_id, int64_t now, RenewalReport& report);
  Status retryOne(const std::string& sub_id, int64_t now, RenewalReport& report,
                  bool off_session = true);
  // topUp without the access check when check_access is false (the automatic top-up).
  Result<TopUpResult> topUpAs(const Principal& p, const std::string& ws, int64_t amount,
                              const std::string& pm, bool check_access, const CardUse& use = {});
  // Purchased domains with autorenew at expiry (domain_renewals.cpp).
  Status renewDomains(int64_t now, RenewalReport& report);
  // E-mails owner/billing 30 and 7 days before a purchased domain's expiry, once each
  // (domain_renewal_notices.cpp).
  Status noticeDomainRenewals(int64_t now, RenewalReport& report);

  CoreContext& ctx_;
  PaymentProvider& provider_;
  Ledger ledger_;
  Registrar* registrar_ = nullptr;
};

// The subscription columns, in the order subscriptions.cpp reads them.
inline constexpr const char* kSubscriptionColumns =
    "id, workspace_id, plan_id, billing_interval, status, currency, price, anchor_at, "
    "current_period_start, current_period_end, cancel_at_period_end, canceled_at, "
    "payment_method, retry_count, next_retry_at, notice_sent_for, created_at, updated_at";

}  // namespace mailjuke::core::billing
