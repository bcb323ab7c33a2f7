// A refund that Stripe reports later as failed or canceled (charge.refund.updated,
// refund.updated, refund.failed; docs/billing.md "Refunds"): no money went back to the card, so
// the money the refund took out of the wallet goes back in (the refund's ledger transaction is
// reversed), the refund is marked failed (the payment's refundable amount is restored with it,
// since only pending and succeeded refunds count) and the change is audited in the workspace's
// log. Applied once: the refund row is locked and only a refund that is not failed yet changes;
// a repeated event or the same status again changes nothing.
//
// Which refund: metadata[mailjuke_refund] (our rfd_… on every refund we create), else our
// provider_ref (the re_… Stripe answered), else, for a refund made in Stripe's dashboard that we
// recorded from charge.refunded (its provider_ref is the charge), the newest succeeded provider
// refund of the same payment with the same amount.
#include <spdlog/spdlog.h>

#include "core/audit/audit_log.h"
#include "core/billing/billing_service.h"

namespace mailjuke::core::billing {
namespace {

std::string field(const Json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>()
                                                                : std::string();
}

constexpr const char* kColumns =
    "SELECT id, payment_id, workspace_id, amount, currency, status, ledger_transaction_id, "
    "source FROM refunds ";

}  // namespace

Result<bool> BillingService::applyRefundUpdate(store::Tx& tx, const Json& refund, int64_t now) {
  std::string status = field(refund, "status");
  if (status != "failed" && status != "canceled") return false;  // succeeded/pending: as is
  std::string re = field(refund, "id"), ours;
  if (refund.contains("metadata")) ours = field(refund["metadata"], "mailjuke_refund");
  std::optional<store::Row> row;
  if (!ours.empty()) {
    MJ_TRY_ASSIGN(row,
                  tx.queryOne(std::string(kColumns) + "WHERE id = ?" + tx.forUpdate(), {ours}));
  }
  if (!row && !re.empty()) {
    MJ_TRY_ASSIGN(
        row, tx.queryOne(std::string(kColumns) + "WHERE provider_ref = ?" + tx.forUpdate(), {re}));
  }
  std::string intent = field(refund, "payment_intent");
  if (!row && !intent.empty() && refund.contains("amount") &&
      refund["amount"].is_number_integer()) {
    MJ_TRY_ASSIGN(auto found,
                  tx.queryOne("SELECT r.id FROM refunds r JOIN payments p ON p.id = r.payment_id "
                              "WHERE p.provider = 'stripe' AND p.provider_ref = ? AND r.source = "
                              "'provider' AND r.status = 'succeeded' AND r.amount = ? ORDER BY "
                              "r.created_at DESC, r.id DESC LIMIT 1",
                              {intent, refund["amount"].get<int64_t>()}));
    if (found) {
      MJ_TRY_ASSIGN(row, tx.queryOne(std::string(kColumns) + "WHERE id = ?" + tx.forUpdate(),
                                     {found->text(0)}));
    }
  }
  if (!row || row->text(5) == "failed") return false;  // not ours, or already applied
  const std::string id = row->text(0), pay = row->text(1), ws = row->text(2), cur = row->text(4);
  std::string code = field(refund, "failure_reason");
  if (code.empty()) code = status == "canceled" ? "refund_canceled" : "refund_failed";
  code = code.substr(0, 64);
  std::optional<std::string> reversal;
  if (!row->isNull(6)) {
    // Every entry of the refund's transaction, sides swapped: the wallet gets back what the
    // refund took (a dashboard refund may have taken less than its amount, see
    // applyProviderRefund).
    const std::string txn = row->text(6);
    MJ_TRY_ASSIGN(auto done,
                  tx.queryOne("SELECT id FROM ledger_transactions WHERE reverses_id = ?", {txn}));
    if (done) {
      reversal = done->text(0);
    } else {
      NewTransaction t{"reversal",
                       cur,
                       ws,
                       "refund-failed:" + id,
                       "refund " + id + " failed at the payment provider (" + code + ")",
                       {},
                       txn};
      MJ_TRY_ASSIGN(auto legs, tx.query("SELECT account_id, side, amount FROM ledger_entries "
                                        "WHERE transaction_id = ? ORDER BY id",
                                        {txn}));
      for (const auto& l : legs)
        t.legs.push_back(
            {l.text(0), l.text(1) == "debit" ? Side::kCredit : Side::kDebit, l.integer(2)});
      if (!t.legs.empty()) {
        MJ_TRY_ASSIGN(reversal, ledger_.post(tx, t));
      }
    }
  }
  MJ_TRY(
      tx.exec("UPDATE refunds SET status = 'failed', failure_code = ?, updated_at = ? WHERE "
              "id = ?",
              {code, now, id}));
  // What failed is refundable again, so a payment marked refunded in full is not any more.
  MJ_TRY(
      tx.exec("UPDATE payments SET status = 'succeeded', updated_at = ? WHERE id = ? AND "
              "status = 'refunded' AND amount > (SELECT COALESCE(SUM(r.amount), 0) FROM "
              "refunds r WHERE r.payment_id = ? AND r.status IN ('pending', 'succeeded'))",
              {now, pay, pay}));
  Principal system;  // the provider, not a user
  MJ_TRY(recordAudit(tx, system,
                     {ws,
                      "payment.refund_failed",
                      "payment",
                      pay,
                      {{"refund", id},
                       {"amount", row->integer(3)},
                       {"provider_status", status},
                       {"failure_code", code},
                       {"source", row->text(7)},
                       {"reversal", reversal ? Json(*reversal) : Json(nullptr)}}},
                     now));
  spdlog::info("billing: refund {} of {} {} at the provider; wallet of {} restored", id, pay,
               status, ws);
  return true;
}

}  // namespace mailjuke::core::billing
