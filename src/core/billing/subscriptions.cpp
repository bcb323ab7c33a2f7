// Subscriptions: subscribe, change plan or interval with proration to the second (Stripe's
// always_invoice behaviour: the difference is invoiced and collected at once; a negative
// difference is credited to the wallet), cancel at period end, resume, retry a past-due payment.
#include "base/ids.h"
#include "core/audit/audit_log.h"
#include "core/billing/billing_service.h"
#include "core/billing/invoices.h"
#include "core/billing/limits.h"
#include "core/billing/plans.h"
#include "core/workspaces/workspace_service.h"

namespace mailjuke::core::billing {
namespace {

struct Sub {
  std::string id, plan_id, status, currency, updated_at;
  Interval interval = Interval::kMonth;
  int64_t price = 0, anchor = 0, start = 0, end = 0;
  bool cancel_at_period_end = false;
  std::optional<std::string> payment_method;
};

Result<std::optional<Sub>> liveSub(store::Tx& tx, const std::string& ws, bool lock) {
  MJ_TRY_ASSIGN(auto row, tx.queryOne(std::string("SELECT ") + kSubscriptionColumns +
                                          " FROM subscriptions WHERE workspace_id = ? AND "
                                          "status <> 'canceled'" +
                                          (lock ? tx.forUpdate() : ""),
                                      {ws}));
  if (!row) return std::optional<Sub>();
  Sub s;
  s.id = row->text(0);
  s.plan_id = row->text(2);
  s.interval = row->text(3) == "year" ? Interval::kYear : Interval::kMonth;
  s.status = row->text(4);
  s.currency = row->text(5);
  s.price = row->integer(6);
  s.anchor = row->integer(7);
  s.start = row->integer(8);
  s.end = row->integer(9);
  s.cancel_at_period_end = row->boolean(10);
  s.payment_method = row->optText(12);
  s.updated_at = row->text(17);
  return std::optional<Sub>(s);
}

std::string planLabel(const BillingSettings& s, const std::string& id, Interval i) {
  const auto* p = findPlan(s, id);
  return (p ? p->name : id) + " plan (" + (i == Interval::kYear ? "yearly" : "monthly") + ")";
}

// What a change would do; computed in a read transaction, re-checked when applied.
struct Planned {
  std::string action;  // create | change | resume | retry | unchanged
  std::optional<Sub> sub;
  Interval interval = Interval::kMonth;
  int64_t price = 0, anchor = 0, start = 0, end = 0;
  std::vector<InvoiceLine> lines;
  int64_t total = 0;
  int64_t balance = 0;
  std::string pays_with;  // wallet | card | credit | none
};

Json linesJson(const std::vector<InvoiceLine>& lines, const std::string& cur) {
  Json out = Json::array();
  for (const auto& l : lines)
    out.push_back({{"description", l.description},
                   {"quantity", l.quantity},
                   {"unit_amount", money(l.unit_amount, cur)},
                   {"amount", money(l.amount(), cur)},
                   {"proration", l.proration},
                   {"period_start", l.period_start ? Json(formatRfc3339(*l.period_start)) : Json()},
                   {"period_end", l.period_end ? Json(formatRfc3339(*l.period_end)) : Json()}});
  return out;
}

}  // namespace

Result<Json> BillingService::subscriptionJson(store::Tx& tx, const std::string& ws) {
  const auto& s = ctx_.settings.billing;
  MJ_TRY_ASSIGN(auto limits, limitsFor(tx, s, ws));
  MJ_TRY_ASSIGN(auto count,
                tx.queryOne("SELECT COUNT(*) FROM mailboxes WHERE workspace_id = ?", {ws}));
  Json lim = {{"mailboxes", limits.mailboxes},
              {"storage_bytes_per_mailbox", limits.storage_bytes_per_mailbox}};
  Json usage = {{"mailboxes", count->integer(0)}};
  MJ_TRY_ASSIGN(auto row, tx.queryOne(std::string("SELECT ") + kSubscriptionColumns +
                                          " FROM subscriptions WHERE workspace_id = ? AND "
                                          "status <> 'canceled'",
                                      {ws}));
  if (!row)
    return Json{{"id", nullptr},
                {"status", "none"},
                {"plan_id", "trial"},
                {"plan", nullptr},
                {"limits", lim},
                {"usage", usage},
                {"cancel_at_period_end", false},
                {"interval", nullptr},
                {"price", nullptr}};
  const auto* plan = findPlan(s, row->text(2));
  auto t = [&](size_t i) {
    return row->isNull(i) ? Json(nullptr) : Json(formatRfc3339(row->integer(i)));
  };
  return Json{{"id", row->text(0)},
              {"status", row->text(4)},
              {"plan_id", row->text(2)},
              {"plan", plan ? Json{{"id", plan->id}, {"name", plan->name}} : Json(nullptr)},
              {"interval", row->text(3)},
              {"price", money(row->integer(6), row->text(5))},
              {"current_period_start", t(8)},
              {"current_period_end", t(9)},
              {"cancel_at_period_end", row->boolean(10)},
              {"canceled_at", t(11)},
              {"payment_method", row->isNull(12) ? Json(nullptr) : Json(row->text(12))},
              {"retry_count", row->integer(13)},
              {"next_retry_at", t(14)},
              {"created_at", t(16)},
              {"limits", lim},
              {"usage", usage}};
}

Result<Json> BillingService::subscription(const Principal& p, const std::string& ws) {
  return ctx_.db.read<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kBillingRead));
    return subscriptionJson(tx, ws);
  });
}

Result<Json> BillingService::changeSubscription(const Principal& p, const std::string& ws,
                                                const SubscriptionChange& in) {
  const auto& s = ctx_.settings.billing;
  const PlanSettings* plan = findPlan(s, in.plan);
  if (!plan) return Error::invalid("plan", "unknown plan (see GET /api/v1/plans)");
  if (in.payment_method && (in.payment_method->empty() || in.payment_method->size() > 255))
    return Error::invalid("payment_method", "must be 1 to 255 characters");
  int64_t now = ctx_.clock.nowSeconds();
  MJ_TRY_ASSIGN(Planned plan_, ctx_.db.read<Planned>([&](store::Tx& tx) -> Result<Planned> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws,
                                       in.preview ? Action::kBillingRead : Action::kBillingManage));
    Planned pl;
    MJ_TRY_ASSIGN(pl.sub, liveSub(tx, ws, false));
    MJ_TRY_ASSIGN(auto count,
                  tx.queryOne("SELECT COUNT(*) FROM mailboxes WHERE workspace_id = ?", {ws}));
    if (count->integer(0) > plan->mailboxes)
      return Error::make(ErrorCode::kConflict,
                         "the workspace has " + count->text(0) + " mailboxes and the " +
                             plan->name + " plan allows " + std::to_string(plan->mailboxes) +
                             ": delete mailboxes first or choose a larger plan");
    pl.interval = in.interval.value_or(pl.sub ? pl.sub->interval : Interval::kMonth);
    pl.price = planPrice(*plan, pl.interval);
    const std::string label = planLabel(s, plan->id, pl.interval);
    if (!pl.sub) {
      pl.action = "create";
      pl.anchor = pl.start = now;
      pl.end = periodBoundary(now, pl.interval, 1);
      pl.lines.push_back({label, 1, pl.price, false, pl.start, pl.end});
    } else if (pl.sub->plan_id == plan->id && pl.sub->interval == pl.interval) {
      pl.action = pl.sub->status == "past_due"   ? "retry"
                  : pl.sub->cancel_at_period_end ? "resume"
                                                 : "unchanged";
      pl.anchor = pl.sub->anchor;
      pl.start = pl.sub->start;
      pl.end = pl.sub->end;
      pl.price = pl.sub->price;
    } else {
      if (pl.sub->status == "past_due")
        return Error::make(ErrorCode::kConflict,
                           "the subscription is past due: pay the open invoice first (PUT the "
                           "current plan with a payment_method, or top up the wallet)");
      pl.action = "change";
      Period period{pl.sub->start, pl.sub->end};
      std::string old_label = planLabel(s, pl.sub->plan_id, pl.sub->interval);
      std::string at = formatRfc3339(now);
      if (pl.interval == pl.sub->interval) {
        MJ_TRY_ASSIGN(auto pr, prorate(pl.sub->price, pl.price, period, now));
        pl.anchor = pl.sub->anchor;
        pl.start = pl.sub->start;
        pl.end = pl.sub->end;
        if (pr.credit != 0)
          pl.lines.push_back(
              {"Unused time on " + old_label + " after " + at, 1, pr.credit, true, now, pl.end});
        if (pr.charge != 0)
          pl.lines.push_back(
              {"Remaining time on " + label + " after " + at, 1, pr.charge, true, now, pl.end});
      } else {
        // A new interval restarts the billing cycle now (as Stripe does).
        MJ_TRY_ASSIGN(auto pr, prorate(pl.sub->price, 0, period, now));
        pl.anchor = pl.start = now;
        pl.end = periodBoundary(now, pl.interval, 1);
        if (pr.credit != 0)
          pl.lines.push_back({"Unused time on " + old_label + " after " + at, 1, pr.credit, true,
                              now, pl.sub->end});
        pl.lines.push_back({label, 1, pl.price, false, pl.start, pl.end});
      }
    }
    for (const auto& l : pl.lines) pl.total += l.amount();
    MJ_TRY_ASSIGN(auto bal, tx.queryOne("SELECT balance FROM ledger_accounts WHERE id = ?",
                                        {walletAccountId(ws, s.currency)}));
    pl.balance = bal ? bal->integer(0) : 0;
    pl.pays_with = pl.total < 0    ? "credit"
                   : pl.total == 0 ? "none"
                   : (s.wallet_first && pl.balance >= pl.total) ||
                           (!in.payment_method && !(pl.sub && pl.sub->payment_method) &&
                            pl.balance >= pl.total)
                       ? "wallet"
                       : "card";
    return pl;
  }));
  const std::string& cur = s.currency;
  if (in.preview) {
    Json out = {{"preview", true},
                {"action", plan_.action},
                {"plan_id", plan->id},
                {"interval", intervalName(plan_.interval)},
                {"price", money(plan_.price, cur)},
                {"proration_date", formatRfc3339(now)},
                {"current_period_start", formatRfc3339(plan_.start)},
                {"current_period_end", formatRfc3339(plan_.end)},
                {"lines", linesJson(plan_.lines, cur)},
                {"total", money(plan_.total, cur)},
                {"wallet_balance", money(plan_.balance, cur)},
                {"pays_with", plan_.pays_with}};
    return out;
  }
  std::optional<std::string> pm = in.payment_method ? in.payment_method
                                  : plan_.sub       ? plan_.sub->payment_method
                                                    : std::nullopt;
  if (plan_.action == "unchanged") {
    return ctx_.db.read<Json>([&](store::Tx& tx) { return subscriptionJson(tx, ws); });
  }
  if (plan_.action == "resume" || plan_.action == "retry") {
    if (plan_.action == "resume" && in.payment_method) {
      // A new card for the next renewals: saved on the customer first (SetupIntent).
      MJ_TRY_ASSIGN(auto saved, saveCardFor(ws, *in.payment_method));
      if (saved.status != "saved") return cardNotSaved(saved, "the renewals", "try again");
      pm = saved.payment_method;
    }
    MJ_TRY(ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
      MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kBillingManage));
      MJ_TRY(
          tx.exec("UPDATE subscriptions SET cancel_at_period_end = 0, payment_method = ?, "
                  "updated_at = ? WHERE id = ?",
                  {store::nullable(pm), now, plan_.sub->id}));
      return recordAudit(
          tx, p,
          {ws, "subscription." + plan_.action, "subscription", plan_.sub->id, {{"plan", plan->id}}},
          now);
    }));
    if (plan_.action == "retry") {
      RenewalReport report;
      // The customer is here: a new card is charged on-session (and saved), else the saved
      // card off-session.
      MJ_TRY(retryOne(plan_.sub->id, now, report, !in.payment_method));
      if (!report.recovered)
        return Error::make(ErrorCode::kPaymentRequired,
                           "the open invoice could not be paid: top up the wallet or use "
                           "another payment_method");
    }
    return ctx_.db.read<Json>([&](store::Tx& tx) { return subscriptionJson(tx, ws); });
  }
  // create | change: collect the money first when a card pays (it lands in the wallet); the
  // card is saved on the workspace's customer for the renewals (setup_future_usage). A card
  // given while the wallet pays is saved through a SetupIntent.
  if (plan_.pays_with != "card" && in.payment_method) {
    MJ_TRY_ASSIGN(auto saved, saveCardFor(ws, *in.payment_method));
    if (saved.status != "saved") return cardNotSaved(saved, "the renewals", "try again");
    pm = saved.payment_method;
  }
  if (plan_.pays_with == "card") {
    if (!pm)
      return Error::make(ErrorCode::kPaymentRequired,
                         "the wallet holds " + std::to_string(plan_.balance) + " of " +
                             std::to_string(plan_.total) +
                             " needed: send a payment_method or top up the wallet");
    CardUse use;
    if (pm == in.payment_method) {  // a new card: charged on the customer and saved
      MJ_TRY_ASSIGN(use.customer, ensureCustomer(ws));
      use.save = true;
    } else {  // the subscription's saved card
      std::string failure, saved_pm;
      MJ_TRY_ASSIGN(auto off, offSessionCard(ws, pm, saved_pm, failure));
      if (off) {
        use = *off;
        use.off_session = false;  // the customer is here: on-session with the saved card
        pm = saved_pm;
      }
    }
    MJ_TRY_ASSIGN(auto card, chargeCard(ws, plan_.total, *pm, "invoice", std::nullopt, use));
    if (!card.saved_payment_method.empty()) pm = card.saved_payment_method;
    if (card.status != "succeeded") {
      Error e = Error::make(ErrorCode::kPaymentRequired,
                            card.status == "requires_action"
                                ? "the card needs authentication: top up the wallet with it "
                                  "(POST …/wallet/top-ups), confirm, then subscribe"
                            : card.status == "processing"
                                ? "the card payment " + card.payment_id +
                                      " is still processing at the payment provider; the wallet "
                                      "is credited when it succeeds: subscribe again then"
                                : "the card was declined (" + card.failure_code + ")");
      e.fields.push_back({"payment_method", e.message});
      return e;
    }
  }
  MJ_TRY_ASSIGN(Json out, ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kBillingManage));
    MJ_TRY_ASSIGN(auto now_sub, liveSub(tx, ws, true));
    if (bool(now_sub) != bool(plan_.sub) ||
        (now_sub && (now_sub->id != plan_.sub->id || now_sub->updated_at != plan_.sub->updated_at)))
      return Error::make(ErrorCode::kConflict,
                         "the subscription changed meanwhile; preview and try again");
    MJ_TRY(ledger_.ensureWorkspaceAccounts(tx, ws, cur));
    std::string sub_id = plan_.sub ? plan_.sub->id : newId("sub");
    if (!plan_.sub) {
      MJ_TRY(tx.exec(
          "INSERT INTO subscriptions (id, workspace_id, plan_id, billing_interval, "
          "status, currency, price, anchor_at, current_period_start, "
          "current_period_end, payment_method, created_at, updated_at) VALUES "
          "(?,?,?,?,'active',?,?,?,?,?,?,?,?)",
          {sub_id, ws, plan->id, std::string(intervalName(plan_.interval)), cur, plan_.price,
           plan_.anchor, plan_.start, plan_.end, store::nullable(pm), now, now}));
    } else {
      MJ_TRY(
          tx.exec("UPDATE subscriptions SET plan_id = ?, billing_interval = ?, price = ?, "
                  "anchor_at = ?, current_period_start = ?, current_period_end = ?, "
                  "cancel_at_period_end = 0, payment_method = ?, updated_at = ? WHERE id = ?",
                  {plan->id, std::string(intervalName(plan_.interval)), plan_.price, plan_.anchor,
                   plan_.start, plan_.end, store::nullable(pm), now, sub_id}));
    }
    DraftInvoice d{
        ws,         sub_id,      plan_.sub ? "subscription_update" : "subscription_create",
        cur,        plan_.start, plan_.end,
        plan_.lines};
    MJ_TRY_ASSIGN(auto inv, createDraft(tx, d, now));
    MJ_TRY(finalise(tx, s, inv, now));
    if (plan_.total > 0) {
      MJ_TRY(settleFromWallet(tx, ws, inv, plan_.total, plan_.pays_with, now));
    } else if (plan_.total < 0) {
      NewTransaction t{"credit", cur, ws, "inv:" + inv, "proration credit", {}, {}};
      t.legs.push_back({platformAccountId("revenue", cur), Side::kDebit, -plan_.total});
      t.legs.push_back({walletAccountId(ws, cur), Side::kCredit, -plan_.total});
      MJ_TRY_ASSIGN(auto txn, ledger_.post(tx, t));
      MJ_TRY(markPaid(tx, inv, "credit", txn, now));
    } else {
      MJ_TRY(markPaid(tx, inv, "none", std::nullopt, now));
    }
    MJ_TRY(recordAudit(tx, p,
                       {ws,
                        plan_.sub ? "subscription.update" : "subscription.create",
                        "subscription",
                        sub_id,
                        {{"plan", plan->id},
                         {"interval", intervalName(plan_.interval)},
                         {"invoice", inv},
                         {"total", plan_.total}}},
                       now));
    MJ_TRY_ASSIGN(Json j, subscriptionJson(tx, ws));
    MJ_TRY_ASSIGN(j["invoice"], invoiceJson(tx, ws, inv));
    return j;
  }));
  return out;
}

Result<Json> BillingService::cancelSubscription(const Principal& p, const std::string& ws) {
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kBillingManage));
    MJ_TRY_ASSIGN(auto sub, liveSub(tx, ws, true));
    if (!sub) return Error::notFound("subscription");
    if (!sub->cancel_at_period_end) {
      MJ_TRY(
          tx.exec("UPDATE subscriptions SET cancel_at_period_end = 1, updated_at = ? WHERE "
                  "id = ?",
                  {now, sub->id}));
      MJ_TRY(recordAudit(tx, p, {ws, "subscription.cancel", "subscription", sub->id, {}}, now));
      MJ_TRY(notifyBilling(tx, ws, "billing_cancellation", "Your subscription will end",
                           "Your " + planLabel(ctx_.settings.billing, sub->plan_id, sub->interval) +
                               " subscription was canceled and ends on " + formatRfc3339(sub->end) +
                               ". Nothing more will be charged. You can resume it until then.",
                           now));
    }
    return subscriptionJson(tx, ws);
  });
}

}  // namespace mailjuke::core::billing
