// Operators decide held payments: approve charges the card and credits the wallet; deny refuses
// it. Every decision is audited in the workspace's log with the operator as the actor.
#include "core/audit/audit_log.h"
#include "core/billing/billing_service.h"
#include "core/billing/plans.h"
#include "core/pagination.h"

namespace mailjuke::core::billing {
namespace {

Json reviewJson(const store::Row& r) {
  Json rules = Json::parse(r.text(3), nullptr, false);
  return {{"id", r.text(0)},
          {"workspace_id", r.text(1)},
          {"payment_id", r.text(2)},
          {"rules", rules.is_discarded() ? Json::array() : rules},
          {"status", r.text(4)},
          {"decided_by", r.isNull(5) ? Json(nullptr) : Json(r.text(5))},
          {"decided_at", r.isNull(6) ? Json(nullptr) : Json(formatRfc3339(r.integer(6)))},
          {"note", r.isNull(7) ? Json(nullptr) : Json(r.text(7))},
          {"created_at", formatRfc3339(r.integer(8))},
          {"amount", money(r.integer(9), r.text(10))},
          {"payment_method", r.text(11)}};
}

constexpr const char* kReviewSelect =
    "SELECT f.id, f.workspace_id, f.payment_id, f.rules, f.status, f.decided_by, f.decided_at, "
    "f.note, f.created_at, p.amount, p.currency, p.payment_method FROM fraud_reviews f JOIN "
    "payments p ON p.id = f.payment_id";

}  // namespace

Result<Page> BillingService::fraudReviews(const std::optional<std::string>& status,
                                          const std::optional<std::string>& cursor, int limit) {
  if (status && *status != "open" && *status != "approved" && *status != "denied")
    return Error::invalid("status", "must be open, approved or denied");
  return ctx_.db.read<Page>([&](store::Tx& tx) -> Result<Page> {
    std::string sql = std::string(kReviewSelect) + " WHERE 1 = 1";
    store::Params params;
    if (status) {
      sql += " AND f.status = ?";
      params.push_back(*status);
    }
    return paginate(tx, sql, params, "f.id", PageRequest{cursor, limit, true}, reviewJson);
  });
}

Result<Json> BillingService::decideFraudReview(const Principal& p, const std::string& id,
                                               bool approve, const std::string& note) {
  int64_t now = ctx_.clock.nowSeconds();
  struct Held {
    std::string ws, pay, pm;
    int64_t amount = 0;
  };
  // Claim the review first, so two operators cannot both approve (and charge) it.
  MJ_TRY_ASSIGN(Held held, ctx_.db.write<Held>([&](store::Tx& tx) -> Result<Held> {
    MJ_TRY_ASSIGN(auto row, tx.queryOne(std::string(kReviewSelect) + " WHERE f.id = ?", {id}));
    if (!row) return Error::notFound("fraud review");
    if (row->text(4) != "open")
      return Error::make(ErrorCode::kConflict, "the review was already " + row->text(4));
    MJ_TRY_ASSIGN(int64_t n, tx.exec("UPDATE fraud_reviews SET status = ?, decided_by = ?, "
                                     "decided_at = ?, note = ? WHERE id = ? AND status = 'open'",
                                     {std::string(approve ? "approved" : "denied"), p.actorId(),
                                      now, note, id}));
    if (n != 1) return Error::make(ErrorCode::kConflict, "the review was decided meanwhile");
    if (!approve)
      MJ_TRY(tx.exec("UPDATE payments SET status = 'denied', updated_at = ? WHERE id = ?",
                     {now, row->text(2)}));
    MJ_TRY(recordAudit(tx, p,
                       {row->text(1),
                        approve ? "fraud_review.approve" : "fraud_review.deny",
                        "fraud_review",
                        id,
                        {{"payment", row->text(2)}, {"note", note}}},
                       now));
    return Held{row->text(1), row->text(2), row->text(11), row->integer(9)};
  }));
  if (approve) {
    // A held automatic top-up names the saved card: charged off-session on the customer (the
    // customer is not present when an operator approves).
    MJ_TRY_ASSIGN(auto saved, ctx_.db.read<std::optional<store::Row>>([&](store::Tx& tx) {
      return tx.queryOne(
          "SELECT customer_ref FROM billing_customers WHERE workspace_id = ? AND "
          "provider = ? AND payment_method = ?",
          {held.ws, provider_.name(), held.pm});
    }));
    ChargeRequest req{held.ws,           held.pm, held.amount, ctx_.settings.billing.currency,
                      "MailJuke top_up", held.pay};
    if (saved) {
      req.customer = saved->text(0);
      req.off_session = true;
    }
    auto charged = provider_.charge(req);
    if (!charged.ok()) {
      // The provider could not be reached: the payment is failed, not left held (a late
      // webhook for it still credits it once, see webhooks.cpp); the operator sees the error.
      MJ_TRY(ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
        MJ_TRY(
            tx.exec("UPDATE payments SET status = 'failed', failure_code = "
                    "'provider_unavailable', updated_at = ? WHERE id = ?",
                    {now, held.pay}));
        return {};
      }));
      return std::move(charged).error();
    }
    const auto& outcome = *charged;
    MJ_TRY(ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
      // Stripe's `processing` waits for its webhook like a 3-D Secure step (payments status).
      std::string status = outcome.status == "declined"     ? "failed"
                           : outcome.status == "processing" ? "requires_action"
                                                            : outcome.status;
      MJ_TRY(
          tx.exec("UPDATE payments SET status = ?, provider_ref = ?, failure_code = ?, "
                  "updated_at = ? WHERE id = ?",
                  {status, outcome.provider_ref,
                   outcome.failure_code.empty() ? store::Value(nullptr)
                                                : store::Value(outcome.failure_code),
                   now, held.pay}));
      if (status == "succeeded") MJ_TRY(creditPayment(tx, held.pay, now));
      return {};
    }));
  }
  return ctx_.db.read<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY_ASSIGN(auto row, tx.queryOne(std::string(kReviewSelect) + " WHERE f.id = ?", {id}));
    Json j = reviewJson(*row);
    MJ_TRY_ASSIGN(auto pay, tx.queryOne("SELECT status FROM payments WHERE id = ?", {held.pay}));
    j["payment_status"] = pay->text(0);
    return j;
  });
}

}  // namespace mailjuke::core::billing
