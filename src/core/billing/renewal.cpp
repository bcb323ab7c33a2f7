// The renewal run: 7-day notices, renewals at period end (invoice, then the wallet or the card),
// retries of failed payments on [billing] retry_hours after the renewal, and active → past_due →
// canceled. Safe to run on several nodes at once: each step re-checks its row under a lock.
#include "core/billing/billing_service.h"
#include "core/billing/invoices.h"
#include "core/billing/plans.h"

#include <spdlog/spdlog.h>

namespace mailjuke::core::billing {
namespace {

std::string label(const BillingSettings& s, const std::string& plan_id) {
  const auto* p = findPlan(s, plan_id);
  return p ? p->name : plan_id;
}

}  // namespace

Result<RenewalReport> BillingService::runRenewals() {
  const auto& s = ctx_.settings.billing;
  int64_t now = ctx_.clock.nowSeconds();
  RenewalReport report;
  // Notices before the renewal.
  int64_t horizon = now + s.renewal_notice_days * 86400;
  MJ_TRY_ASSIGN(auto upcoming, ctx_.db.read<store::Rows>([&](store::Tx& tx) {
    return tx.query(
        "SELECT id FROM subscriptions WHERE status = 'active' AND "
        "cancel_at_period_end = 0 AND current_period_end > ? AND "
        "current_period_end <= ? AND (notice_sent_for IS NULL OR "
        "notice_sent_for <> current_period_end)",
        {now, horizon});
  }));
  for (const auto& r : upcoming) {
    std::string id = r.text(0);
    MJ_TRY(ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
      MJ_TRY_ASSIGN(auto sub, tx.queryOne("SELECT workspace_id, plan_id, price, currency, "
                                          "current_period_end FROM subscriptions WHERE id = ?",
                                          {id}));
      MJ_TRY_ASSIGN(int64_t n, tx.exec("UPDATE subscriptions SET notice_sent_for = "
                                       "current_period_end WHERE id = ? AND (notice_sent_for IS "
                                       "NULL OR notice_sent_for <> current_period_end)",
                                       {id}));
      if (n != 1) return {};
      ++report.notices;
      return notifyBilling(
          tx, sub->text(0), "billing_renewal_notice", "Your subscription renews soon",
          "Your " + label(s, sub->text(1)) + " subscription renews on " +
              formatRfc3339(sub->integer(4)) + " for " + std::to_string(sub->integer(2)) +
              " minor units (" + sub->text(3) +
              "). To stop it, cancel before then in Billing (DELETE …/subscription).",
          now);
    }));
  }
  // Renewals of periods that ended.
  MJ_TRY_ASSIGN(auto due, ctx_.db.read<store::Rows>([&](store::Tx& tx) {
    return tx.query(
        "SELECT id FROM subscriptions WHERE status = 'active' AND "
        "current_period_end <= ? ORDER BY id",
        {now});
  }));
  for (const auto& r : due) {
    auto st = renewOne(r.text(0), now, report);
    if (!st.ok()) spdlog::warn("billing: renewal of {} failed: {}", r.text(0), st.error().message);
  }
  // Retries of past-due payments.
  MJ_TRY_ASSIGN(auto retry, ctx_.db.read<store::Rows>([&](store::Tx& tx) {
    return tx.query(
        "SELECT id FROM subscriptions WHERE status = 'past_due' AND next_retry_at <= "
        "? ORDER BY id",
        {now});
  }));
  for (const auto& r : retry) {
    auto st = retryOne(r.text(0), now, report);
    if (!st.ok()) spdlog::warn("billing: retry of {} failed: {}", r.text(0), st.error().message);
  }
  // Purchased domains at expiry (domain_renewals.cpp).
  MJ_TRY(renewDomains(now, report));
  return report;
}

Result<bool> BillingService::renewOne(const std::string& id, int64_t now, RenewalReport& report) {
  const auto& s = ctx_.settings.billing;
  struct Step {
    bool skip = false, canceled = false;
    std::string ws, invoice;
    int64_t total = 0;
    std::optional<std::string> pm;
  };
  MJ_TRY_ASSIGN(Step step, ctx_.db.write<Step>([&](store::Tx& tx) -> Result<Step> {
    MJ_TRY_ASSIGN(auto row, tx.queryOne(std::string("SELECT ") + kSubscriptionColumns +
                                            " FROM subscriptions WHERE id = ?" + tx.forUpdate(),
                                        {id}));
    Step st;
    if (!row || row->text(4) != "active" || row->integer(9) > now) {
      st.skip = true;
      return st;
    }
    st.ws = row->text(1);
    int64_t end = row->integer(9);
    std::string plan = row->text(2);
    if (row->boolean(10)) {
      MJ_TRY(
          tx.exec("UPDATE subscriptions SET status = 'canceled', canceled_at = ?, updated_at = "
                  "? WHERE id = ?",
                  {end, now, id}));
      MJ_TRY(notifyBilling(tx, st.ws, "billing_canceled", "Your subscription has ended",
                           "Your " + label(s, plan) + " subscription ended on " +
                               formatRfc3339(end) + " as requested. Nothing more was charged.",
                           now));
      st.canceled = true;
      return st;
    }
    Interval interval = row->text(3) == "year" ? Interval::kYear : Interval::kMonth;
    Period next = periodContaining(row->integer(7), interval, end);
    int64_t price = row->integer(6);
    const auto* p = findPlan(s, plan);
    if (p) price = planPrice(*p, interval);  // catalog price changes apply at renewal
    DraftInvoice d{
        st.ws,
        id,
        "subscription_cycle",
        row->text(5),
        next.start,
        next.end,
        {{label(s, plan) + " plan (" + (interval == Interval::kYear ? "yearly" : "monthly") + ")",
          1, price, false, next.start, next.end}}};
    MJ_TRY_ASSIGN(st.invoice, createDraft(tx, d, now));
    MJ_TRY(finalise(tx, s, st.invoice, now));
    MJ_TRY(
        tx.exec("UPDATE subscriptions SET current_period_start = ?, current_period_end = ?, "
                "price = ?, updated_at = ? WHERE id = ?",
                {next.start, next.end, price, now, id}));
    st.total = price;
    st.pm = row->optText(12);
    return st;
  }));
  if (step.skip) return false;
  if (step.canceled) {
    ++report.canceled;
    return true;
  }
  std::string failure;
  MJ_TRY_ASSIGN(bool paid, payInvoice(step.ws, step.invoice, step.total, step.pm, failure));
  if (paid) {
    ++report.renewed;
    return true;
  }
  ++report.failed;
  MJ_TRY(ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY(
        tx.exec("UPDATE subscriptions SET status = 'past_due', retry_count = 0, next_retry_at = "
                "current_period_start + ?, updated_at = ? WHERE id = ?",
                {s.retry_hours.front() * 3600, now, id}));
    return notifyBilling(tx, step.ws, "billing_payment_failed", "Your payment failed",
                         "We could not collect the renewal of your subscription (" +
                             failureAdvice(failure, false) +
                             "). We will try again; to avoid interruption, top up the wallet or "
                             "update the payment method. New mailboxes and domains are paused "
                             "until it is paid.",
                         now);
  }));
  return true;
}

Status BillingService::retryOne(const std::string& id, int64_t now, RenewalReport& report,
                                bool off_session) {
  const auto& s = ctx_.settings.billing;
  MJ_TRY_ASSIGN(auto row, ctx_.db.read<std::optional<store::Row>>([&](store::Tx& tx) {
    return tx.queryOne(
        "SELECT s.workspace_id, s.payment_method, s.retry_count, i.id, i.total - "
        "COALESCE((SELECT SUM(c.total) FROM credit_notes c WHERE c.invoice_id = i.id), 0) "
        "FROM subscriptions s JOIN invoices i ON i.subscription_id = s.id AND "
        "i.status = 'open' WHERE s.id = ? AND s.status = 'past_due' ORDER BY i.id "
        "DESC LIMIT 1",
        {id});
  }));
  if (!row) return {};
  std::string ws = row->text(0), failure;
  MJ_TRY_ASSIGN(bool paid, payInvoice(ws, row->text(3), row->integer(4), row->optText(1), failure,
                                      off_session));
  return ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    if (paid) {
      ++report.recovered;
      MJ_TRY(
          tx.exec("UPDATE subscriptions SET status = 'active', retry_count = 0, next_retry_at = "
                  "NULL, updated_at = ? WHERE id = ?",
                  {now, id}));
      return notifyBilling(tx, ws, "billing_payment_recovered", "Your payment went through",
                           "The open invoice was paid; your subscription is active again.", now);
    }
    int64_t tries = row->integer(2) + 1;
    if (tries >= int64_t(s.retry_hours.size())) {
      ++report.canceled;
      MJ_TRY(
          tx.exec("UPDATE subscriptions SET status = 'canceled', canceled_at = ?, retry_count "
                  "= ?, next_retry_at = NULL, updated_at = ? WHERE id = ?",
                  {now, tries, now, id}));
      MJ_TRY(markClosed(tx, row->text(3), "uncollectible", now));
      return notifyBilling(tx, ws, "billing_canceled", "Your subscription was canceled",
                           "We could not collect the open invoice after " + std::to_string(tries) +
                               " attempts (" + failureAdvice(failure, false) +
                               "), so the subscription was canceled. Existing data is kept; "
                               "subscribe again to lift the trial limits.",
                           now);
    }
    MJ_TRY(
        tx.exec("UPDATE subscriptions SET retry_count = ?, next_retry_at = "
                "current_period_start + ?, updated_at = ? WHERE id = ?",
                {tries, s.retry_hours[size_t(tries)] * 3600, now, id}));
    return notifyBilling(tx, ws, "billing_payment_failed", "Your payment failed again",
                         "Attempt " + std::to_string(tries + 1) +
                             " to collect the open invoice "
                             "failed (" +
                             failureAdvice(failure, false) + "). We will try again.",
                         now);
  });
}

}  // namespace mailjuke::core::billing
