// Refunds of card payments (docs/billing.md "Refunds"): by an operator (any part of a payment
// that is still in the wallet) and by the customer (unused wallet credit back to the cards it
// came from, newest payment first). Credits that did not come from a card (a downgrade's
// credit) are never paid out in cash: they count as spent last, so a wallet refund pays at most
// min(balance - such credits, what card payments brought in and was not refunded yet).
//
// Order of events for one refund, so money is never lost nor taken twice:
//  1. one transaction: lock the payment, check what is left of it and what the wallet holds,
//     insert the refund (pending) and take the amount out of the wallet (wallet → refunds);
//  2. ask the provider (Idempotency-Key = the refund id);
//  3. one transaction: succeeded/pending → the refund is done (the payment is `refunded` once
//     nothing is left); failed or unreachable → the ledger entry is reversed and the refund
//     marked failed.
// A charge.refunded webhook (webhooks.cpp → applyProviderRefund) only takes what the provider
// refunded beyond the pending and succeeded refunds recorded here.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "base/encoding.h"
#include "base/ids.h"
#include "core/audit/audit_log.h"
#include "core/billing/billing_service.h"
#include "core/billing/plans.h"
#include "core/pagination.h"
#include "core/workspaces/workspace_service.h"

namespace mailjuke::core::billing {
namespace {

constexpr const char* kRefunded =
    "(SELECT COALESCE(SUM(r.amount), 0) FROM refunds r WHERE r.payment_id = p.id AND r.status "
    "IN ('pending', 'succeeded'))";

constexpr const char* kRefundColumns =
    "id, payment_id, workspace_id, amount, currency, source, reason, status, provider_ref, "
    "failure_code, created_at";

Json refundJson(const store::Row& r) {
  return {{"id", r.text(0)},
          {"payment_id", r.text(1)},
          {"workspace_id", r.text(2)},
          {"amount", money(r.integer(3), r.text(4))},
          {"source", r.text(5)},
          {"reason", r.text(6)},
          {"status", r.text(7)},
          {"provider_ref", r.isNull(8) ? Json(nullptr) : Json(r.text(8))},
          {"failure_code", r.isNull(9) ? Json(nullptr) : Json(r.text(9))},
          {"created_at", formatRfc3339(r.integer(10))}};
}

Json paymentListJson(const store::Row& r) {
  // id, workspace_id, purpose, amount, currency, payment_method, provider, provider_ref, status,
  // failure_code, created_at, credited, refunded
  int64_t refunded = r.integer(12);
  bool credited = r.integer(11) != 0;
  return {{"id", r.text(0)},
          {"workspace_id", r.text(1)},
          {"purpose", r.text(2)},
          {"amount", money(r.integer(3), r.text(4))},
          {"payment_method", r.text(5)},
          {"provider", r.text(6)},
          {"provider_ref", r.isNull(7) ? Json(nullptr) : Json(r.text(7))},
          {"status", r.text(8)},
          {"failure_code", r.isNull(9) ? Json(nullptr) : Json(r.text(9))},
          {"created_at", formatRfc3339(r.integer(10))},
          {"refunded", money(refunded, r.text(4))},
          {"refundable", money(credited ? r.integer(3) - refunded : 0, r.text(4))},
          {"refund_url", "/api/v1/admin/payments/" + r.text(0) + "/refund"}};
}

// What the recorded refunds (pending or succeeded) of a payment add up to.
Result<int64_t> refundedSoFar(store::Tx& tx, const std::string& pay) {
  MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT COALESCE(SUM(amount), 0) FROM refunds WHERE "
                                      "payment_id = ? AND status IN ('pending', 'succeeded')",
                                      {pay}));
  return row ? row->integer(0) : 0;
}

Result<int64_t> walletBalance(store::Tx& tx, const std::string& ws, const std::string& cur) {
  MJ_TRY_ASSIGN(auto bal, tx.queryOne("SELECT balance FROM ledger_accounts WHERE id = ?",
                                      {walletAccountId(ws, cur)}));
  return bal ? bal->integer(0) : 0;
}

std::string amountText(int64_t amount, const std::string& cur) {
  return std::to_string(amount) + " " + toLowerAscii(cur);
}

}  // namespace

Result<Page> BillingService::payments(const std::optional<std::string>& workspace,
                                      const std::optional<std::string>& cursor, int limit) {
  return ctx_.db.read<Page>([&](store::Tx& tx) -> Result<Page> {
    std::string sql = std::string(
                          "SELECT p.id, p.workspace_id, p.purpose, p.amount, p.currency, "
                          "p.payment_method, p.provider, p.provider_ref, CASE WHEN "
                          "p.status = 'requires_action' AND p.provider_status = 'processing' "
                          "THEN 'processing' ELSE p.status END, "
                          "p.failure_code, p.created_at, CASE WHEN p.ledger_transaction_id IS "
                          "NULL THEN 0 ELSE 1 END, ") +
                      kRefunded + " FROM payments p WHERE 1 = 1";
    store::Params params;
    if (workspace) {
      sql += " AND p.workspace_id = ?";
      params.push_back(*workspace);
    }
    return paginate(tx, sql, params, "p.id", PageRequest{cursor, limit, true}, paymentListJson);
  });
}

Result<Json> BillingService::refundPayment(const Principal& p, const std::string& pay,
                                           std::optional<int64_t> amount,
                                           const std::string& reason) {
  if (!p.is_operator) return Error::make(ErrorCode::kForbidden, "operators only");
  return refundOne(p, pay, amount, reason, "operator", std::nullopt);
}

Result<Json> BillingService::refundOne(const Principal& p, const std::string& pay,
                                       std::optional<int64_t> amount, const std::string& reason,
                                       const std::string& source,
                                       const std::optional<std::string>& ws_only) {
  if (amount && *amount <= 0) return Error::invalid("amount", "must be positive (minor units)");
  struct Pending {
    std::string refund, ws, cur, provider_ref, txn;
    int64_t amount = 0;
  };
  int64_t now = ctx_.clock.nowSeconds();
  MJ_TRY_ASSIGN(Pending pending, ctx_.db.write<Pending>([&](store::Tx& tx) -> Result<Pending> {
    MJ_TRY_ASSIGN(auto row,
                  tx.queryOne(std::string("SELECT workspace_id, status, amount, currency, "
                                          "provider_ref, ledger_transaction_id FROM "
                                          "payments WHERE id = ?") +
                                  tx.forUpdate(),
                              {pay}));
    if (!row || (ws_only && row->text(0) != *ws_only)) return Error::notFound("payment");
    MJ_TRY_ASSIGN(int64_t refunded, refundedSoFar(tx, pay));
    const std::string ws = row->text(0), cur = row->text(3);
    if (row->isNull(5) || (row->text(1) != "succeeded" && row->text(1) != "refunded"))
      return Error::make(ErrorCode::kConflict, "payment " + pay + " is " + row->text(1) +
                                                   ": only card payments that were credited to "
                                                   "the wallet can be refunded");
    int64_t left = row->integer(2) - refunded;
    MJ_TRY_ASSIGN(int64_t balance, walletBalance(tx, ws, cur));
    int64_t refundable = std::min(left, balance);
    int64_t want = amount.value_or(left);
    auto refuse = [&](const std::string& why) {
      Error e = Error::make(
          ErrorCode::kConflict,
          why + "; refundable now: " + amountText(std::max<int64_t>(0, refundable), cur) + " (" +
              amountText(left, cur) + " of the payment not yet refunded, " +
              amountText(balance, cur) + " in the wallet)");
      e.fields.push_back({"amount", "at most " + std::to_string(std::max<int64_t>(0, refundable))});
      return e;
    };
    if (left <= 0) return refuse("payment " + pay + " is already refunded in full");
    if (want > left)
      return refuse("payment " + pay + " has only " + amountText(left, cur) + " left to refund");
    if (want > balance)
      return refuse("the wallet holds only " + amountText(balance, cur) +
                    ", the rest was already spent; refunds never take a wallet below zero");
    std::string id = newId("rfd");
    MJ_TRY(
        tx.exec("INSERT INTO refunds (id, payment_id, workspace_id, amount, currency, source, "
                "reason, status, requested_by, created_at, updated_at) VALUES "
                "(?,?,?,?,?,?,?,'pending',?,?,?)",
                {id, pay, ws, want, cur, source, reason, p.actorId(), now, now}));
    NewTransaction t{"refund", cur, ws, "refund:" + id, "refund " + id + " of payment " + pay,
                     {},       {}};
    t.legs.push_back({walletAccountId(ws, cur), Side::kDebit, want});
    t.legs.push_back({platformAccountId("refunds", cur), Side::kCredit, want});
    MJ_TRY(ledger_.ensureWorkspaceAccounts(tx, ws, cur));
    MJ_TRY_ASSIGN(auto txn, ledger_.post(tx, t));
    MJ_TRY(tx.exec("UPDATE refunds SET ledger_transaction_id = ? WHERE id = ?", {txn, id}));
    MJ_TRY(recordAudit(tx, p,
                       {ws,
                        source == "operator" ? "payment.refund" : "wallet.refund",
                        "payment",
                        pay,
                        {{"refund", id}, {"amount", want}, {"reason", reason}}},
                       now));
    return Pending{id, ws, cur, row->isNull(4) ? "" : row->text(4), txn, want};
  }));
  auto outcome = provider_.refund(
      {pay, pending.provider_ref, pending.amount, pending.cur, reason, pending.refund});
  now = ctx_.clock.nowSeconds();
  bool done = outcome.ok() && outcome->status != "failed";
  std::string code = !outcome.ok() ? "provider_unavailable" : outcome->failure_code;
  if (code.empty()) code = "refund_failed";
  MJ_TRY_ASSIGN(Json out, ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    if (done) {
      // Only while pending: a refund.updated webhook may already have marked it failed.
      MJ_TRY(
          tx.exec("UPDATE refunds SET status = 'succeeded', provider_ref = ?, updated_at = ? "
                  "WHERE id = ? AND status = 'pending'",
                  {outcome->provider_ref, now, pending.refund}));
      MJ_TRY(tx.exec(std::string("UPDATE payments SET status = 'refunded', updated_at = ? WHERE "
                                 "id = ? AND amount <= (SELECT COALESCE(SUM(r.amount), 0) FROM "
                                 "refunds r WHERE r.payment_id = ? AND r.status IN ('pending', "
                                 "'succeeded'))"),
                     {now, pay, pay}));
    } else {
      // Nothing went back to the card: the money returns to the wallet (unless a webhook
      // already did, refund_updates.cpp).
      MJ_TRY_ASSIGN(int64_t still,
                    tx.exec("UPDATE refunds SET status = 'failed', failure_code = ?, updated_at = "
                            "? WHERE id = ? AND status = 'pending'",
                            {code, now, pending.refund}));
      NewTransaction t{"reversal",
                       pending.cur,
                       pending.ws,
                       "refund-failed:" + pending.refund,
                       "refund " + pending.refund + " failed (" + code + ")",
                       {},
                       pending.txn};
      t.legs.push_back({platformAccountId("refunds", pending.cur), Side::kDebit, pending.amount});
      t.legs.push_back({walletAccountId(pending.ws, pending.cur), Side::kCredit, pending.amount});
      if (still == 1) MJ_TRY(ledger_.post(tx, t));
    }
    MJ_TRY_ASSIGN(auto row, tx.queryOne(std::string("SELECT ") + kRefundColumns +
                                            " FROM refunds WHERE id = ?",
                                        {pending.refund}));
    Json j = refundJson(*row);
    MJ_TRY_ASSIGN(int64_t balance, walletBalance(tx, pending.ws, pending.cur));
    j["wallet_balance"] = money(balance, pending.cur);
    return j;
  }));
  if (!outcome.ok()) {
    Error e = std::move(outcome).error();
    e.message += "; refund " + pending.refund + " was not made and the wallet is unchanged";
    return e;
  }
  if (!done)
    return Error::make(ErrorCode::kConflict, "the payment provider refused refund " +
                                                 pending.refund + " (" + code +
                                                 "); the wallet is unchanged");
  return out;
}

Result<Json> BillingService::refundWalletCredit(const Principal& p, const std::string& ws,
                                                std::optional<int64_t> amount) {
  if (amount && *amount <= 0) return Error::invalid("amount", "must be positive (minor units)");
  const std::string& cur = ctx_.settings.billing.currency;
  struct Part {
    std::string pay;
    int64_t amount;
  };
  struct Plan {
    std::vector<Part> parts;
    int64_t balance = 0, cash = 0;
  };
  MJ_TRY_ASSIGN(Plan plan, ctx_.db.read<Plan>([&](store::Tx& tx) -> Result<Plan> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kBillingManage));
    Plan plan;
    MJ_TRY_ASSIGN(plan.balance, walletBalance(tx, ws, cur));
    MJ_TRY_ASSIGN(auto rows, tx.query(std::string("SELECT p.id, p.amount - ") + kRefunded +
                                          " FROM payments p WHERE p.workspace_id = ? AND "
                                          "p.currency = ? AND p.status IN ('succeeded', "
                                          "'refunded') AND p.ledger_transaction_id IS NOT NULL "
                                          "ORDER BY p.created_at DESC, p.id DESC",
                                      {ws, cur}));
    int64_t cash = 0;
    for (const auto& r : rows) cash += std::max<int64_t>(0, r.integer(1));
    // Credits that did not come from a card (proration credits, …) are taken to be spent last:
    // as long as the wallet holds them, they are not paid out.
    MJ_TRY_ASSIGN(auto noncash,
                  tx.queryOne("SELECT COALESCE(SUM(e.amount), 0) FROM ledger_entries e JOIN "
                              "ledger_transactions t ON t.id = e.transaction_id WHERE "
                              "e.account_id = ? AND e.side = 'credit' AND t.kind NOT IN "
                              "('top_up', 'reversal')",
                              {walletAccountId(ws, cur)}));
    int64_t credits_in = noncash ? noncash->integer(0) : 0;
    int64_t refundable = std::min(std::max<int64_t>(0, plan.balance - credits_in), cash);
    plan.cash = refundable;
    int64_t want = amount.value_or(refundable);
    int64_t credits = plan.balance - refundable;
    std::string why = "of the wallet's " + amountText(plan.balance, cur) + ", " +
                      amountText(refundable, cur) + " came from card payments and can be refunded";
    if (credits > 0)
      why += "; " + amountText(credits, cur) +
             " came from credits (e.g. for a downgrade), which are not paid out in cash";
    if (refundable <= 0 || want > refundable) {
      Error e = Error::make(ErrorCode::kConflict,
                            (refundable <= 0 ? "nothing to refund: " : "too much: ") + why);
      e.fields.push_back({"amount", "at most " + std::to_string(std::max<int64_t>(0, refundable))});
      return e;
    }
    for (const auto& r : rows) {
      if (want == 0) break;
      int64_t take = std::min(want, r.integer(1));
      if (take <= 0) continue;
      plan.parts.push_back({r.text(0), take});
      want -= take;
    }
    return plan;
  }));
  Json refunds = Json::array();
  int64_t total = 0;
  for (const auto& part : plan.parts) {
    auto r = refundOne(p, part.pay, part.amount, "unused credit", "customer", ws);
    if (!r.ok()) {
      if (refunds.empty()) return std::move(r).error();
      spdlog::warn("billing: wallet refund of {} stopped at {}: {}", ws, part.pay,
                   r.error().message);
      break;  // what is done stays done; the answer lists it
    }
    total += part.amount;
    refunds.push_back(*r);
  }
  MJ_TRY_ASSIGN(int64_t balance,
                ctx_.db.read<int64_t>([&](store::Tx& tx) { return walletBalance(tx, ws, cur); }));
  int64_t requested = amount.value_or(plan.cash);
  return Json{{"refunded", money(total, cur)},
              {"requested", money(requested, cur)},
              {"complete", total == requested},
              {"refunds", refunds},
              {"wallet_balance", money(balance, cur)},
              {"not_refundable",
               {{"amount", money(std::max<int64_t>(0, balance - (plan.cash - total)), cur)},
                {"reason",
                 "credits that did not come from a card payment (e.g. for a downgrade) stay in "
                 "the wallet and are not paid out in cash; they are used for charges"}}}};
}

Status BillingService::applyProviderRefund(store::Tx& tx, const std::string& pay,
                                           int64_t refunded_total, const std::string& charge_ref,
                                           int64_t now) {
  MJ_TRY_ASSIGN(auto row, tx.queryOne(std::string("SELECT workspace_id, currency, amount FROM "
                                                  "payments WHERE id = ?") +
                                          tx.forUpdate(),
                                      {pay}));
  if (!row) return Error::notFound("payment");
  const std::string ws = row->text(0), cur = row->text(1);
  MJ_TRY_ASSIGN(int64_t known, refundedSoFar(tx, pay));
  int64_t extra = refunded_total - known;
  if (extra > 0) {
    // Refunded at the provider (e.g. in its dashboard), not through us: take it out of the
    // wallet, as far as the wallet goes.
    std::string id = newId("rfd");
    MJ_TRY_ASSIGN(int64_t balance, walletBalance(tx, ws, cur));
    int64_t take = std::min(extra, balance);
    std::optional<std::string> txn;
    if (take > 0) {
      NewTransaction t{"provider_refund", cur, ws, "refund:" + id, "card refund of " + pay, {}, {}};
      t.legs.push_back({walletAccountId(ws, cur), Side::kDebit, take});
      t.legs.push_back({platformAccountId("cash_clearing", cur), Side::kCredit, take});
      MJ_TRY_ASSIGN(txn, ledger_.post(tx, t));
    }
    if (take < extra)
      spdlog::warn("billing: provider refund of {} exceeds the wallet by {}", pay, extra - take);
    MJ_TRY(
        tx.exec("INSERT INTO refunds (id, payment_id, workspace_id, amount, currency, source, "
                "reason, status, provider_ref, ledger_transaction_id, created_at, updated_at) "
                "VALUES (?,?,?,?,?,'provider','refunded at the payment provider','succeeded',"
                "?,?,?,?)",
                {id, pay, ws, extra, cur, charge_ref, store::nullable(txn), now, now}));
  }
  if (refunded_total >= row->integer(2))
    MJ_TRY(tx.exec("UPDATE payments SET status = 'refunded', updated_at = ? WHERE id = ?",
                   {now, pay}));
  return {};
}

}  // namespace mailjuke::core::billing
