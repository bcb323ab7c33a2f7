// The wallet: statement, top-ups through the payment provider (fraud rules first), 3-D Secure
// confirmation, and the shared card and invoice settlement helpers.
#include <spdlog/spdlog.h>

#include "base/encoding.h"
#include "base/ids.h"
#include "core/audit/audit_log.h"
#include "core/billing/auto_top_up.h"
#include "core/billing/billing_service.h"
#include "core/billing/fraud.h"
#include "core/billing/invoices.h"
#include "core/billing/plans.h"
#include "core/notify/outbox.h"
#include "core/workspaces/workspace_service.h"

namespace mailjuke::core::billing {
namespace {

Json paymentJson(const store::Row& r) {
  // id, purpose, amount, currency, payment_method, status, failure_code, created_at, workspace_id
  std::string base = "/api/v1/workspaces/" + r.text(8) + "/wallet/top-ups/" + r.text(0);
  Json j = {{"id", r.text(0)},
            {"purpose", r.text(1)},
            {"amount", money(r.integer(2), r.text(3))},
            {"payment_method", r.text(4)},
            {"status", r.text(5)},
            {"failure_code", r.isNull(6) ? Json(nullptr) : Json(r.text(6))},
            {"created_at", formatRfc3339(r.integer(7))},
            {"next_action", nullptr}};
  // Not decided yet: `processing` (the provider is working on it; its webhook settles it) or
  // `requires_action` (3-D Secure: the customer confirms).
  if (r.text(5) == "requires_action" && r.optText(12) == "processing")
    j["status"] = "processing";
  else if (r.text(5) == "requires_action")
    j["next_action"] = {{"type", "confirm"}, {"confirm_url", base + "/confirm"}};
  return j;
}

constexpr const char* kPaymentColumns =
    "id, purpose, amount, currency, payment_method, status, failure_code, created_at, "
    "workspace_id, provider_ref, invoice_id, ledger_transaction_id, provider_status";

Result<Json> balanceJson(store::Tx& tx, const std::string& ws, const std::string& cur) {
  MJ_TRY_ASSIGN(auto bal, tx.queryOne("SELECT balance FROM ledger_accounts WHERE id = ?",
                                      {walletAccountId(ws, cur)}));
  return money(bal ? bal->integer(0) : 0, cur);
}

}  // namespace

Status BillingService::creditPayment(store::Tx& tx, const std::string& pay, int64_t now) {
  MJ_TRY_ASSIGN(auto row, tx.queryOne(std::string("SELECT ") + kPaymentColumns +
                                          " FROM payments WHERE id = ?" + tx.forUpdate(),
                                      {pay}));
  if (!row) return Error::notFound("payment");
  if (!row->isNull(11)) return {};  // already credited
  const std::string ws = row->text(8), cur = row->text(3);
  MJ_TRY(ledger_.ensureWorkspaceAccounts(tx, ws, cur));
  NewTransaction t{"top_up", cur, ws, "pay:" + pay, "card payment " + pay, {}, {}};
  t.legs.push_back({platformAccountId("cash_clearing", cur), Side::kDebit, row->integer(2)});
  t.legs.push_back({walletAccountId(ws, cur), Side::kCredit, row->integer(2)});
  MJ_TRY_ASSIGN(auto txn, ledger_.post(tx, t));
  MJ_TRY(
      tx.exec("UPDATE payments SET status = 'succeeded', failure_code = NULL, "
              "ledger_transaction_id = ?, updated_at = ? WHERE id = ?",
              {txn, now, pay}));
  return {};
}

Result<BillingService::CardPayment> BillingService::chargeCard(
    const std::string& ws, int64_t amount, const std::string& pm, const std::string& purpose,
    const std::optional<std::string>& invoice_id, const CardUse& use) {
  const std::string& cur = ctx_.settings.billing.currency;
  std::string pay = newId("pay");
  auto charged = provider_.charge({ws, pm, amount, cur, "MailJuke " + purpose, pay, use.customer,
                                   use.save && !use.off_session, use.off_session});
  int64_t now = ctx_.clock.nowSeconds();
  if (!charged.ok()) {
    // The provider could not be reached: nothing is credited. The row stays (failed) so that a
    // webhook reporting that the charge went through after all can still credit it, once.
    MJ_TRY(ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
      MJ_TRY(
          tx.exec("INSERT INTO payments (id, workspace_id, purpose, invoice_id, amount, currency, "
                  "payment_method, provider, status, failure_code, created_at, updated_at) VALUES "
                  "(?,?,?,?,?,?,?,?,'failed','provider_unavailable',?,?)",
                  {pay, ws, purpose, store::nullable(invoice_id), amount, cur, pm, provider_.name(),
                   now, now}));
      return {};
    }));
    return std::move(charged).error();
  }
  ChargeOutcome outcome = std::move(*charged);
  // processing (not decided yet) is stored as requires_action with provider_status
  // 'processing' and shown as processing; the webhook (or the confirm step) settles it.
  std::string status = outcome.status == "declined"     ? "failed"
                       : outcome.status == "processing" ? "requires_action"
                                                        : outcome.status;
  std::optional<std::string> provider_status;
  if (status == "requires_action") provider_status = outcome.status;
  MJ_TRY(ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY(tx.exec(
        "INSERT INTO payments (id, workspace_id, purpose, invoice_id, amount, currency, "
        "payment_method, provider, provider_ref, status, failure_code, created_at, "
        "updated_at, provider_status) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        {pay, ws, purpose, store::nullable(invoice_id), amount, cur, pm, provider_.name(),
         outcome.provider_ref, status,
         outcome.failure_code.empty() ? store::Value(nullptr) : store::Value(outcome.failure_code),
         now, now, store::nullable(provider_status)}));
    if (status == "succeeded") MJ_TRY(creditPayment(tx, pay, now));
    if (status == "succeeded" && !outcome.saved_payment_method.empty()) {
      SavedCard card;
      card.status = "saved";
      card.payment_method = outcome.saved_payment_method;
      MJ_TRY(storeSavedCard(tx, ws, card, now));
    }
    return {};
  }));
  return CardPayment{pay, outcome.status == "processing" ? "processing" : status,
                     outcome.failure_code, outcome.saved_payment_method};
}

Status BillingService::settleFromWallet(store::Tx& tx, const std::string& ws,
                                        const std::string& inv, int64_t total,
                                        const std::string& paid_with, int64_t now) {
  const std::string& cur = ctx_.settings.billing.currency;
  MJ_TRY(ledger_.ensureWorkspaceAccounts(tx, ws, cur));
  MJ_TRY_ASSIGN(auto number, tx.queryOne("SELECT number FROM invoices WHERE id = ?", {inv}));
  NewTransaction t{"charge", cur, ws, "inv:" + inv, "invoice " + (number ? number->text(0) : inv),
                   {},       {}};
  t.legs.push_back({walletAccountId(ws, cur), Side::kDebit, total});
  t.legs.push_back({platformAccountId("revenue", cur), Side::kCredit, total});
  MJ_TRY_ASSIGN(auto txn, ledger_.post(tx, t));
  return markPaid(tx, inv, paid_with, txn, now);
}

Result<bool> BillingService::payInvoice(const std::string& ws, const std::string& inv,
                                        int64_t total, const std::optional<std::string>& pm,
                                        std::string& failure, bool off_session) {
  const auto& s = ctx_.settings.billing;
  int64_t now = ctx_.clock.nowSeconds();
  if (total <= 0) {
    MJ_TRY(ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) {
      return markPaid(tx, inv, "none", std::nullopt, now);
    }));
    return true;
  }
  auto fromWallet = [&]() -> Result<bool> {
    auto st = ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) {
      return settleFromWallet(tx, ws, inv, total, "wallet", now);
    });
    if (st.ok()) return true;
    if (st.error().code == ErrorCode::kPaymentRequired) {
      failure = "insufficient_wallet_balance";
      return false;
    }
    return std::move(st).error();
  };
  if (s.wallet_first || !pm) {
    MJ_TRY_ASSIGN(bool paid, fromWallet());
    if (paid || !pm) return paid;
  } else {
    // An earlier card payment for this invoice (3-D Secure confirmed later, or `processing`)
    // that has reached the wallet pays the retry; one still processing is waited for. The card
    // is never charged twice for one invoice.
    MJ_TRY_ASSIGN(
        std::string earlier, ctx_.db.read<std::string>([&](store::Tx& tx) -> Result<std::string> {
          MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT COALESCE(MAX(CASE WHEN status = "
                                              "'succeeded' THEN 2 WHEN provider_status = "
                                              "'processing' AND status = 'requires_action' THEN "
                                              "1 ELSE 0 END), 0) FROM payments WHERE "
                                              "invoice_id = ?",
                                              {inv}));
          int64_t v = row ? row->integer(0) : 0;
          return std::string(v == 2 ? "succeeded" : v == 1 ? "processing" : "");
        }));
    if (earlier == "processing") {
      failure = "payment_processing";
      return false;
    }
    if (earlier == "succeeded") {
      MJ_TRY_ASSIGN(bool paid, fromWallet());
      if (paid) return true;  // else the credit was spent since: a new charge is due
    }
  }
  // Off-session (the renewal job): the saved card on the customer. On-session (the customer
  // pays a past-due invoice): the card given, saved for the next renewals when it succeeds.
  std::string charge_pm = *pm;
  CardUse use;
  if (off_session) {
    MJ_TRY_ASSIGN(auto off, offSessionCard(ws, pm, charge_pm, failure));
    if (!off) return false;
    use = *off;
  } else {
    MJ_TRY_ASSIGN(use.customer, ensureCustomer(ws));
    use.save = true;
  }
  MJ_TRY_ASSIGN(auto card, chargeCard(ws, total, charge_pm, "invoice", inv, use));
  if (card.status != "succeeded") {
    failure = card.status == "requires_action" ? "authentication_required"
              : card.status == "processing"    ? "payment_processing"
                                               : card.failure_code;
    return false;
  }
  auto st = ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) {
    return settleFromWallet(tx, ws, inv, total, "card", now);
  });
  if (!st.ok()) return std::move(st).error();
  return true;
}

Result<Json> BillingService::wallet(const Principal& p, const std::string& ws,
                                    const std::optional<std::string>& cursor, int limit) {
  const std::string& cur = ctx_.settings.billing.currency;
  MJ_TRY_ASSIGN(Json balance, ctx_.db.read<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kBillingRead));
    return balanceJson(tx, ws, cur);
  }));
  MJ_TRY_ASSIGN(auto page, ledger_.entries(ws, cur, cursor, limit));
  Json data = Json::array();
  for (const auto& e : page.entries)
    data.push_back({{"id", e.id},
                    {"seq", e.seq},
                    {"transaction_id", e.transaction_id},
                    {"kind", e.kind},
                    {"memo", e.memo},
                    {"direction", e.side == Side::kCredit ? "credit" : "debit"},
                    {"amount", money(e.amount, cur)},
                    {"created_at", formatRfc3339(e.created_at)}});
  MJ_TRY_ASSIGN(Json auto_top_up, ctx_.db.read<Json>([&](store::Tx& tx) {
    return autoTopUpJson(tx, ws, cur);  // auto_top_up.h
  }));
  return Json{{"balance", balance},
              {"currency", toLowerAscii(cur)},
              {"auto_top_up", auto_top_up},
              {"data", data},
              {"next_cursor", page.next_cursor ? Json(*page.next_cursor) : Json(nullptr)}};
}

Result<TopUpResult> BillingService::topUp(const Principal& p, const std::string& ws, int64_t amount,
                                          const std::string& pm) {
  return topUpAs(p, ws, amount, pm, true, {});
}

Result<TopUpResult> BillingService::topUpAs(const Principal& p, const std::string& ws,
                                            int64_t amount, const std::string& pm,
                                            bool check_access, const CardUse& use) {
  const auto& s = ctx_.settings.billing;
  if (amount < s.min_top_up || amount > s.max_top_up)
    return Error::invalid("amount", "must be between " + std::to_string(s.min_top_up) + " and " +
                                        std::to_string(s.max_top_up) + " minor units");
  if (pm.empty() || pm.size() > 255)
    return Error::invalid("payment_method", "must be 1 to 255 characters");
  // The card's country for card_country_mismatch, asked outside the transaction; a provider
  // that cannot tell (or cannot be reached) leaves the rule silent and the payment goes on.
  // Only asked when there is a billing country to compare it with.
  std::optional<std::string> card_country;
  MJ_TRY_ASSIGN(bool billing_country, ctx_.db.read<bool>([&](store::Tx& tx) -> Result<bool> {
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT country FROM billing_details WHERE workspace_id "
                                        "= ? AND country <> ''",
                                        {ws}));
    return row.has_value();
  }));
  if (!billing_country) {
  } else if (auto c = provider_.cardCountry(pm); c.ok()) {
    card_country = *c;
  } else {
    spdlog::warn(
        "billing: card country of {} for {} unknown ({}); card_country_mismatch not "
        "checked",
        pm, ws, c.error().message);
  }
  int64_t now = ctx_.clock.nowSeconds();
  // Fraud rules first: a hit holds the payment for an operator, and the card is not charged.
  MJ_TRY_ASSIGN(
      auto held,
      ctx_.db.write<std::optional<Json>>([&](store::Tx& tx) -> Result<std::optional<Json>> {
        if (check_access) MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kBillingManage));
        MJ_TRY_ASSIGN(auto rules, fraudRules(tx, s, ws, amount, pm, card_country, now));
        if (rules.empty()) return std::optional<Json>();
        std::string pay = newId("pay"), review = newId("frv");
        MJ_TRY(
            tx.exec("INSERT INTO payments (id, workspace_id, purpose, amount, "
                    "currency, payment_method, provider, status, created_at, "
                    "updated_at) VALUES (?,?,'top_up',?,?,?,?,'held',?,?)",
                    {pay, ws, amount, s.currency, pm, provider_.name(), now, now}));
        Json r = rules;
        MJ_TRY(
            tx.exec("INSERT INTO fraud_reviews (id, workspace_id, "
                    "payment_id, rules, status, created_at) VALUES "
                    "(?,?,?,?,'open',?)",
                    {review, ws, pay, r.dump(), now}));
        MJ_TRY(recordAudit(
            tx, p, {ws, "payment.held", "payment", pay, {{"rules", r}, {"review", review}}}, now));
        MJ_TRY_ASSIGN(auto row, tx.queryOne(std::string("SELECT ") + kPaymentColumns +
                                                " FROM payments WHERE id = ?",
                                            {pay}));
        Json j = paymentJson(*row);
        j["fraud_review"] = {{"id", review}, {"rules", r}};
        return std::optional<Json>(j);
      }));
  if (held) return TopUpResult{202, *held};
  MJ_TRY_ASSIGN(auto card, chargeCard(ws, amount, pm, "top_up", std::nullopt, use));
  MJ_TRY_ASSIGN(Json body, ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY_ASSIGN(auto row, tx.queryOne(std::string("SELECT ") + kPaymentColumns +
                                            " FROM payments WHERE id = ?",
                                        {card.payment_id}));
    MJ_TRY(recordAudit(tx, p,
                       {ws,
                        "wallet.top_up",
                        "payment",
                        card.payment_id,
                        {{"amount", amount}, {"status", card.status}}},
                       now));
    Json j = paymentJson(*row);
    MJ_TRY_ASSIGN(j["wallet_balance"], balanceJson(tx, ws, s.currency));
    return j;
  }));
  if (card.status == "failed") {
    Error e =
        Error::make(ErrorCode::kPaymentRequired, "the card was declined (" + card.failure_code +
                                                     "); payment " + card.payment_id);
    e.fields.push_back({"payment_method", "declined: " + card.failure_code});
    return e;
  }
  return TopUpResult{card.status == "succeeded" ? 201 : 202, body};
}

Result<Json> BillingService::confirmTopUp(const Principal& p, const std::string& ws,
                                          const std::string& pay) {
  MJ_TRY_ASSIGN(auto ref, ctx_.db.read<std::string>([&](store::Tx& tx) -> Result<std::string> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kBillingManage));
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT status, provider_ref FROM payments WHERE id = ? "
                                        "AND workspace_id = ?",
                                        {pay, ws}));
    if (!row) return Error::notFound("payment");
    if (row->text(0) != "requires_action")
      return Error::make(ErrorCode::kConflict, "the payment is " + row->text(0));
    return row->text(1);
  }));
  MJ_TRY_ASSIGN(auto outcome, provider_.confirm(ref));
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    if (outcome.status == "succeeded") {
      MJ_TRY(creditPayment(tx, pay, now));
      // A card the payment was to save (a subscription's new card) is saved now.
      if (!outcome.saved_payment_method.empty())
        MJ_TRY(storeSavedCard(tx, ws, {"saved", outcome.saved_payment_method}, now));
    } else if (outcome.status == "declined") {
      MJ_TRY(
          tx.exec("UPDATE payments SET status = 'failed', failure_code = ?, updated_at = ? "
                  "WHERE id = ? AND status = 'requires_action'",
                  {outcome.failure_code, now, pay}));
    } else {
      MJ_TRY(
          tx.exec("UPDATE payments SET provider_status = ?, updated_at = ? WHERE id = ? AND "
                  "status = 'requires_action'",
                  {outcome.status, now, pay}));
    }
    MJ_TRY(recordAudit(tx, p, {ws, "wallet.top_up_confirm", "payment", pay, {}}, now));
    MJ_TRY_ASSIGN(auto row, tx.queryOne(std::string("SELECT ") + kPaymentColumns +
                                            " FROM payments WHERE id = ?",
                                        {pay}));
    Json j = paymentJson(*row);
    MJ_TRY_ASSIGN(j["wallet_balance"], balanceJson(tx, ws, ctx_.settings.billing.currency));
    return j;
  });
}

Status BillingService::notifyBilling(store::Tx& tx, const std::string& ws, const std::string& kind,
                                     const std::string& subject, const std::string& text,
                                     int64_t now) {
  MJ_TRY_ASSIGN(auto rows, tx.query("SELECT u.id, u.email FROM memberships m JOIN users u ON "
                                    "u.id = m.user_id WHERE m.workspace_id = ? AND m.role IN "
                                    "('owner', 'billing') ORDER BY u.id",
                                    {ws}));
  for (const auto& r : rows)
    MJ_TRY(enqueueEmail(tx, {kind, r.text(1), r.text(0), subject, text}, now));
  MJ_TRY_ASSIGN(auto extra, tx.queryOne("SELECT email FROM billing_details WHERE workspace_id = ? "
                                        "AND email <> ''",
                                        {ws}));
  if (extra) {
    bool dup = false;
    for (const auto& r : rows) dup |= r.text(1) == extra->text(0);
    if (!dup) MJ_TRY(enqueueEmail(tx, {kind, extra->text(0), "", subject, text}, now));
  }
  return {};
}

}  // namespace mailjuke::core::billing
