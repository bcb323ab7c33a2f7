// The saved card: the workspace's customer at the payment provider (created lazily, once) and
// the card saved on it for off-session charges (renewals, their retries, auto top-ups).
// Stripe refuses to charge a PaymentMethod off-session unless it is attached to the customer
// named in the charge; saving goes through a SetupIntent (or setup_future_usage on an
// on-session charge, wallet.cpp). Table billing_customers (migration 0022).
#include <spdlog/spdlog.h>

#include "base/ids.h"
#include "core/audit/audit_log.h"
#include "core/billing/billing_service.h"
#include "core/workspaces/workspace_service.h"

namespace mailjuke::core::billing {
namespace {

constexpr const char* kCardColumns =
    "customer_ref, payment_method, card_brand, card_last4, card_country, saved_at, "
    "pending_setup_ref, pending_payment_method";

Json cardJson(const std::string& ws, const std::string& provider,
              const std::optional<store::Row>& r) {
  auto opt = [&](size_t i) { return r && !r->isNull(i) ? Json(r->text(i)) : Json(nullptr); };
  Json j = {{"provider", provider},
            {"customer", opt(0)},
            {"payment_method", opt(1)},
            {"brand", opt(2)},
            {"last4", opt(3)},
            {"country", opt(4)},
            {"saved_at", r && !r->isNull(5) ? Json(formatRfc3339(r->integer(5))) : Json(nullptr)},
            {"pending", nullptr}};
  if (r && !r->isNull(6))
    j["pending"] = {
        {"payment_method", opt(7)},
        {"next_action",
         {{"type", "confirm"},
          {"confirm_url", "/api/v1/workspaces/" + ws + "/billing/payment-method/confirm"}}}};
  return j;
}

}  // namespace

std::string failureAdvice(const std::string& code, bool auto_top_up) {
  if (code == "authentication_required")
    return auto_top_up
               ? "the card's bank asks the cardholder to confirm this payment "
                 "(authentication_required), which an automatic payment cannot do: top up by "
                 "hand (POST …/wallet/top-ups) and confirm it, or save another card with PUT "
                 "…/billing/payment-method"
               : "the card's bank asks the cardholder to confirm this payment "
                 "(authentication_required), which an automatic renewal cannot do: pay the open "
                 "invoice yourself with PUT …/subscription (the same plan and a "
                 "payment_method) and confirm it, or top up the wallet";
  if (code == "payment_method_not_attached" || code == "no_saved_card")
    return "no card is saved for automatic payments (" + code +
           "): save one with PUT …/billing/payment-method";
  return code;
}

Error cardNotSaved(const SavedCard& card, const std::string& purpose, const std::string& then) {
  Error e = Error::make(
      ErrorCode::kPaymentRequired,
      card.status == "requires_action"
          ? "the card needs the customer's confirmation before " + purpose +
                " can use it: save it with PUT …/billing/payment-method, confirm it, then " + then
          : "the card could not be saved for " + purpose + " (" + card.failure_code + ")");
  e.fields.push_back({"payment_method", e.message});
  return e;
}

Result<std::string> BillingService::ensureCustomer(const std::string& ws) {
  const std::string provider = provider_.name();
  struct Known {
    std::optional<std::string> customer;
    std::string name, email;
  };
  MJ_TRY_ASSIGN(Known known, ctx_.db.read<Known>([&](store::Tx& tx) -> Result<Known> {
    Known k;
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT customer_ref FROM billing_customers WHERE "
                                        "workspace_id = ? AND provider = ?",
                                        {ws, provider}));
    if (row) {
      k.customer = row->text(0);
      return k;
    }
    MJ_TRY_ASSIGN(auto d, tx.queryOne("SELECT legal_name, email FROM billing_details WHERE "
                                      "workspace_id = ?",
                                      {ws}));
    if (d) {
      k.name = d->text(0);
      k.email = d->text(1);
    }
    return k;
  }));
  if (known.customer) return *known.customer;
  // Derived from the workspace: a retry (or a concurrent first save) gets the same customer.
  MJ_TRY_ASSIGN(std::string customer,
                provider_.createCustomer({ws, known.name, known.email, "mj-customer-" + ws}));
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.write<std::string>([&](store::Tx& tx) -> Result<std::string> {
    MJ_TRY(
        tx.exec("INSERT INTO billing_customers (workspace_id, provider, customer_ref, "
                "created_at, updated_at) VALUES (?,?,?,?,?) ON CONFLICT (workspace_id, "
                "provider) DO NOTHING",
                {ws, provider, customer, now, now}));
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT customer_ref FROM billing_customers WHERE "
                                        "workspace_id = ? AND provider = ?",
                                        {ws, provider}));
    if (!row) return Error::internal("billing customer not stored");
    return row->text(0);
  });
}

Status BillingService::storeSavedCard(store::Tx& tx, const std::string& ws, const SavedCard& card,
                                      int64_t now) {
  auto opt = [](const std::string& v) {
    return v.empty() ? store::Value(nullptr) : store::Value(v);
  };
  MJ_TRY(
      tx.exec("UPDATE billing_customers SET payment_method = ?, card_brand = ?, card_last4 = ?, "
              "card_country = ?, saved_at = ?, pending_setup_ref = NULL, "
              "pending_payment_method = NULL, updated_at = ? WHERE workspace_id = ? AND "
              "provider = ?",
              {card.payment_method, opt(card.brand), opt(card.last4), opt(card.country), now, now,
               ws, provider_.name()}));
  // The one card for automatic payments: the subscription's and auto top-up's follow it
  // (updated_at unchanged: a plan change in flight must not see a conflict).
  MJ_TRY(
      tx.exec("UPDATE subscriptions SET payment_method = ? WHERE workspace_id = ? AND status IN "
              "('active', 'past_due')",
              {card.payment_method, ws}));
  MJ_TRY(tx.exec("UPDATE wallet_auto_top_ups SET payment_method = ? WHERE workspace_id = ?",
                 {card.payment_method, ws}));
  return {};
}

Result<SavedCard> BillingService::saveCardFor(const std::string& ws, const std::string& pm) {
  if (pm.empty() || pm.size() > 255)
    return Error::invalid("payment_method", "must be 1 to 255 characters");
  MJ_TRY_ASSIGN(std::string customer, ensureCustomer(ws));
  MJ_TRY_ASSIGN(SavedCard card, provider_.saveCard({customer, pm, newId("seti")}));
  int64_t now = ctx_.clock.nowSeconds();
  if (card.status == "saved" && card.payment_method.empty()) card.payment_method = pm;
  MJ_TRY(ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    if (card.status == "saved") return storeSavedCard(tx, ws, card, now);
    if (card.status == "requires_action")
      MJ_TRY(
          tx.exec("UPDATE billing_customers SET pending_setup_ref = ?, pending_payment_method = "
                  "?, updated_at = ? WHERE workspace_id = ? AND provider = ?",
                  {card.provider_ref, pm, now, ws, provider_.name()}));
    return {};
  }));
  return card;
}

Result<std::optional<CardUse>> BillingService::offSessionCard(const std::string& ws,
                                                              const std::optional<std::string>& pm,
                                                              std::string& saved_pm,
                                                              std::string& failure) {
  MJ_TRY_ASSIGN(auto row, ctx_.db.read<std::optional<store::Row>>([&](store::Tx& tx) {
    return tx.queryOne(std::string("SELECT ") + kCardColumns +
                           " FROM billing_customers WHERE workspace_id = ? AND provider = ?",
                       {ws, provider_.name()});
  }));
  std::string saved = row && !row->isNull(1) ? row->text(1) : std::string();
  std::string card = pm && !pm->empty() ? *pm : saved;
  if (card.empty()) {
    failure = "no_saved_card";
    return std::optional<CardUse>();
  }
  if (card == saved) {
    saved_pm = saved;
    return std::optional<CardUse>(CardUse{row->text(0), false, true});
  }
  // A card from before saved cards (or one never saved): save it now, then charge it.
  auto s = saveCardFor(ws, card);
  if (!s.ok()) {
    if (s.error().code != ErrorCode::kUnavailable && s.error().code != ErrorCode::kInvalid)
      return std::move(s).error();
    failure = s.error().code == ErrorCode::kUnavailable ? "provider_unavailable"
                                                        : "invalid_payment_method";
    return std::optional<CardUse>();
  }
  if (s->status != "saved") {
    failure = s->status == "requires_action" ? "authentication_required" : s->failure_code;
    return std::optional<CardUse>();
  }
  MJ_TRY_ASSIGN(std::string customer, ensureCustomer(ws));
  saved_pm = s->payment_method;
  return std::optional<CardUse>(CardUse{customer, false, true});
}

Result<Json> BillingService::savedCard(const Principal& p, const std::string& ws) {
  return ctx_.db.read<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kBillingRead));
    MJ_TRY_ASSIGN(auto row, tx.queryOne(std::string("SELECT ") + kCardColumns +
                                            " FROM billing_customers WHERE workspace_id = ? "
                                            "AND provider = ?",
                                        {ws, provider_.name()}));
    return cardJson(ws, provider_.name(), row);
  });
}

namespace {

Result<TopUpResult> savedAnswer(const SavedCard& card, Json body) {
  body["status"] = card.status == "saved" ? "saved" : card.status;
  if (card.status == "declined") {
    std::string code = card.failure_code.empty() ? "card_declined" : card.failure_code;
    Error e = Error::make(ErrorCode::kPaymentRequired,
                          "the card could not be saved for automatic payments (" + code + ")");
    e.fields.push_back({"payment_method", "declined: " + code});
    return e;
  }
  return TopUpResult{card.status == "saved" ? 200 : 202, std::move(body)};
}

}  // namespace

Result<TopUpResult> BillingService::replaceSavedCard(const Principal& p, const std::string& ws,
                                                     const std::string& pm) {
  if (pm.empty() || pm.size() > 255)
    return Error::invalid("payment_method", "must be 1 to 255 characters");
  MJ_TRY_ASSIGN(bool allowed, ctx_.db.read<bool>([&](store::Tx& tx) -> Result<bool> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kBillingManage));
    return true;
  }));
  (void)allowed;
  MJ_TRY_ASSIGN(SavedCard card, saveCardFor(ws, pm));
  int64_t now = ctx_.clock.nowSeconds();
  MJ_TRY(ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    return recordAudit(tx, p,
                       {ws,
                        "billing.payment_method_update",
                        "workspace",
                        ws,
                        {{"status", card.status}, {"failure_code", card.failure_code}}},
                       now);
  }));
  MJ_TRY_ASSIGN(Json body, savedCard(p, ws));
  return savedAnswer(card, std::move(body));
}

Result<TopUpResult> BillingService::confirmSavedCard(const Principal& p, const std::string& ws) {
  using Pending = std::pair<std::string, std::string>;  // setup ref, payment method
  MJ_TRY_ASSIGN(auto pending, ctx_.db.read<Pending>([&](store::Tx& tx) -> Result<Pending> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kBillingManage));
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT pending_setup_ref, "
                                        "pending_payment_method FROM "
                                        "billing_customers WHERE workspace_id "
                                        "= ? AND provider = ?",
                                        {ws, provider_.name()}));
    if (!row || row->isNull(0))
      return Error::make(ErrorCode::kConflict, "no card is waiting for confirmation");
    return std::make_pair(row->text(0), row->optText(1).value_or(""));
  }));
  MJ_TRY_ASSIGN(SavedCard card, provider_.confirmSavedCard(pending.first));
  if (card.status == "saved" && card.payment_method.empty()) card.payment_method = pending.second;
  int64_t now = ctx_.clock.nowSeconds();
  MJ_TRY(ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    if (card.status == "saved") MJ_TRY(storeSavedCard(tx, ws, card, now));
    if (card.status == "declined")
      MJ_TRY(
          tx.exec("UPDATE billing_customers SET pending_setup_ref = NULL, "
                  "pending_payment_method = NULL, updated_at = ? WHERE workspace_id = ? AND "
                  "provider = ?",
                  {now, ws, provider_.name()}));
    return recordAudit(
        tx, p, {ws, "billing.payment_method_confirm", "workspace", ws, {{"status", card.status}}},
        now);
  }));
  MJ_TRY_ASSIGN(Json body, savedCard(p, ws));
  return savedAnswer(card, std::move(body));
}

}  // namespace mailjuke::core::billing
