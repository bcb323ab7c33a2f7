#include "core/billing/limits.h"

#include "core/billing/plans.h"

namespace mailjuke::core::billing {
namespace {

Error paymentRequired(const std::string& field, const std::string& message) {
  Error e = Error::make(ErrorCode::kPaymentRequired, message);
  e.fields.push_back({field, message});
  return e;
}

std::string upgradePath(const std::string& ws) {
  return "PUT /api/v1/workspaces/" + ws + "/subscription";
}

}  // namespace

Result<Limits> limitsFor(store::Tx& tx, const BillingSettings& s, const std::string& ws) {
  MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT plan_id, status FROM subscriptions WHERE "
                                      "workspace_id = ? AND status <> 'canceled'",
                                      {ws}));
  Limits l{"trial", "none", s.trial_mailboxes, s.trial_storage_bytes};
  if (!row) return l;
  l.status = row->text(1);
  l.plan_id = row->text(0);
  if (const auto* plan = findPlan(s, l.plan_id)) {
    l.mailboxes = plan->mailboxes;
    l.storage_bytes_per_mailbox = plan->storage_bytes_per_mailbox;
  }  // a plan removed from the catalog keeps the trial allowance until changed
  return l;
}

Result<Limits> limitsFor(CoreContext& ctx, const std::string& ws) {
  return ctx.db.read<Limits>(
      [&](store::Tx& tx) -> Result<Limits> { return limitsFor(tx, ctx.settings.billing, ws); });
}

Status checkCanAddMailboxes(store::Tx& tx, const BillingSettings& s, const std::string& ws,
                            int64_t adding) {
  // Serialise concurrent creations in one workspace (PostgreSQL row lock; SQLite writes are
  // serial), so two requests cannot both take the last free slot.
  MJ_TRY(tx.query(std::string("SELECT id FROM workspaces WHERE id = ?") + tx.forUpdate(), {ws}));
  MJ_TRY_ASSIGN(auto l, limitsFor(tx, s, ws));
  if (l.status == "past_due")
    return paymentRequired("subscription",
                           "the subscription is past due: pay the open invoice "
                           "(top up the wallet or update the payment method with " +
                               upgradePath(ws) + ") before adding mailboxes");
  MJ_TRY_ASSIGN(auto count,
                tx.queryOne("SELECT COUNT(*) FROM mailboxes WHERE workspace_id = ?", {ws}));
  int64_t used = count->integer(0);
  if (used + adding <= l.mailboxes) return {};
  std::string next;
  for (const auto& p : s.plans)
    if (p.mailboxes >= used + adding &&
        (next.empty() || p.mailboxes < findPlan(s, next)->mailboxes))
      next = p.id;
  std::string plan_name = l.plan_id == "trial" ? "the trial" : "the " + l.plan_id + " plan";
  std::string msg = "mailbox limit reached: " + plan_name + " allows " +
                    std::to_string(l.mailboxes) + " mailboxes and " + std::to_string(used) +
                    " exist; ";
  msg += next.empty() ? "no plan has room for more, contact support"
                      : "upgrade to " + next + " (" + std::to_string(findPlan(s, next)->mailboxes) +
                            " mailboxes) with " + upgradePath(ws) + " {\"plan\": \"" + next + "\"}";
  return paymentRequired("mailboxes", msg);
}

Status checkCanAddDomains(store::Tx& tx, const BillingSettings& s, const std::string& ws) {
  MJ_TRY_ASSIGN(auto l, limitsFor(tx, s, ws));
  if (l.status == "past_due")
    return paymentRequired("subscription",
                           "the subscription is past due: pay the open invoice "
                           "before adding domains (" +
                               upgradePath(ws) + ")");
  return {};
}

}  // namespace mailjuke::core::billing
