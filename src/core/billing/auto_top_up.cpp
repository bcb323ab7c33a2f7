#include "core/billing/auto_top_up.h"

#include <spdlog/spdlog.h>

#include "core/audit/audit_log.h"
#include "core/billing/billing_service.h"
#include "core/billing/plans.h"
#include "core/workspaces/workspace_service.h"

namespace mailjuke::core::billing {
namespace {

// The latest charge of the wallet: what may have left it below the threshold. Only charges
// trigger (not refunds or reversals: paying credit back must not take the card again).
Result<std::optional<std::string>> latestDebit(store::Tx& tx, const std::string& wallet) {
  MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT e.transaction_id FROM ledger_entries e JOIN "
                                      "ledger_transactions t ON t.id = e.transaction_id WHERE "
                                      "e.account_id = ? AND e.side = 'debit' AND t.kind = "
                                      "'charge' ORDER BY e.seq DESC LIMIT 1",
                                      {wallet}));
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(row->text(0));
}

}  // namespace

Result<Json> autoTopUpJson(store::Tx& tx, const std::string& ws, const std::string& cur) {
  MJ_TRY_ASSIGN(auto r, tx.queryOne("SELECT enabled, threshold, amount, payment_method, "
                                    "consecutive_failures, disabled_reason, last_payment_id, "
                                    "updated_at FROM wallet_auto_top_ups WHERE workspace_id = ?",
                                    {ws}));
  if (!r)
    return Json{{"enabled", false},           {"threshold", nullptr},
                {"amount", nullptr},          {"payment_method", nullptr},
                {"consecutive_failures", 0},  {"disabled_reason", nullptr},
                {"last_payment_id", nullptr}, {"updated_at", nullptr}};
  return Json{{"enabled", r->boolean(0)},
              {"threshold", money(r->integer(1), cur)},
              {"amount", money(r->integer(2), cur)},
              {"payment_method", r->text(3)},
              {"consecutive_failures", r->integer(4)},
              {"disabled_reason", r->isNull(5) ? Json(nullptr) : Json(r->text(5))},
              {"last_payment_id", r->isNull(6) ? Json(nullptr) : Json(r->text(6))},
              {"updated_at", formatRfc3339(r->integer(7))}};
}

Result<Json> BillingService::setAutoTopUp(const Principal& p, const std::string& ws,
                                          const AutoTopUpInput& in) {
  const auto& s = ctx_.settings.billing;
  if (in.amount < s.min_top_up || in.amount > s.max_top_up)
    return Error::invalid("amount", "must be between " + std::to_string(s.min_top_up) + " and " +
                                        std::to_string(s.max_top_up) + " minor units");
  if (in.threshold < 0 || in.threshold > s.max_top_up)
    return Error::invalid("threshold",
                          "must be between 0 and " + std::to_string(s.max_top_up) + " minor units");
  if (in.payment_method.size() > 255)
    return Error::invalid("payment_method", "must be 1 to 255 characters");
  const std::string& cur = s.currency;
  // The card: the one given (saved on the workspace's customer first, so that the top-ups can
  // charge it off-session), else the workspace's saved card.
  MJ_TRY_ASSIGN(
      std::string saved, ctx_.db.read<std::string>([&](store::Tx& tx) -> Result<std::string> {
        MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kBillingManage));
        MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT payment_method FROM billing_customers WHERE "
                                            "workspace_id = ? AND provider = ? AND payment_method "
                                            "IS NOT NULL",
                                            {ws, provider_.name()}));
        return row ? row->text(0) : std::string();
      }));
  std::string pm = in.payment_method.empty() ? saved : in.payment_method;
  if (pm.empty())
    return Error::invalid("payment_method",
                          "is required: no card is saved for automatic payments yet");
  if (in.enabled && pm != saved) {
    MJ_TRY_ASSIGN(auto card, saveCardFor(ws, pm));
    if (card.status != "saved")
      return cardNotSaved(card, "automatic top-ups", "turn automatic top-up on");
    pm = card.payment_method;
  }
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kBillingManage));
    // Charges made before the settings do not trigger a top-up: no surprise payment on enabling.
    MJ_TRY_ASSIGN(auto trigger, latestDebit(tx, walletAccountId(ws, cur)));
    MJ_TRY(tx.exec("DELETE FROM wallet_auto_top_ups WHERE workspace_id = ?", {ws}));
    MJ_TRY(tx.exec(
        "INSERT INTO wallet_auto_top_ups (workspace_id, enabled, threshold, amount, "
        "payment_method, consecutive_failures, last_trigger, updated_at) VALUES "
        "(?,?,?,?,?,0,?,?)",
        {ws, int64_t(in.enabled), in.threshold, in.amount, pm, store::nullable(trigger), now}));
    MJ_TRY(
        recordAudit(tx, p,
                    {ws,
                     "wallet.auto_top_up_update",
                     "workspace",
                     ws,
                     {{"enabled", in.enabled}, {"threshold", in.threshold}, {"amount", in.amount}}},
                    now));
    return autoTopUpJson(tx, ws, cur);
  });
}

Result<int> BillingService::runAutoTopUps() {
  const auto& s = ctx_.settings.billing;
  const std::string& cur = s.currency;
  int64_t now = ctx_.clock.nowSeconds();
  struct Due {
    std::string ws, pm, trigger;
    int64_t amount = 0;
  };
  MJ_TRY_ASSIGN(
      auto due, ctx_.db.read<std::vector<Due>>([&](store::Tx& tx) -> Result<std::vector<Due>> {
        MJ_TRY_ASSIGN(auto rows,
                      tx.query("SELECT a.workspace_id, a.threshold, a.amount, "
                               "a.payment_method, a.last_trigger, l.balance FROM "
                               "wallet_auto_top_ups a JOIN ledger_accounts l ON "
                               "l.workspace_id = a.workspace_id AND l.kind = 'wallet' AND "
                               "l.currency = ? WHERE a.enabled = 1 AND l.balance < "
                               "a.threshold ORDER BY a.workspace_id",
                               {cur}));
        std::vector<Due> out;
        for (const auto& r : rows) {
          MJ_TRY_ASSIGN(auto trigger, latestDebit(tx, walletAccountId(r.text(0), cur)));
          if (!trigger || (!r.isNull(4) && r.text(4) == *trigger)) continue;
          out.push_back({r.text(0), r.text(3), *trigger, r.integer(2)});
        }
        return out;
      }));
  int done = 0;
  for (const auto& d : due) {
    // Claim the trigger first: at most one top-up per charge, also with several nodes.
    MJ_TRY_ASSIGN(int64_t claimed, ctx_.db.write<int64_t>([&](store::Tx& tx) {
      return tx.exec(
          "UPDATE wallet_auto_top_ups SET last_trigger = ?, updated_at = ? WHERE "
          "workspace_id = ? AND enabled = 1 AND (last_trigger IS NULL OR "
          "last_trigger <> ?)",
          {d.trigger, now, d.ws, d.trigger});
    }));
    if (claimed != 1) continue;
    ++done;
    Principal system;  // recorded as an automatic action (no user)
    // Off-session: the card saved on the workspace's customer (nobody is at the keyboard).
    std::string failure, payment, saved_pm;
    auto off = offSessionCard(d.ws, d.pm, saved_pm, failure);
    Result<TopUpResult> r = Error::make(ErrorCode::kPaymentRequired, "");
    if (!off.ok())
      r = std::move(off).error();
    else if (*off)
      r = topUpAs(system, d.ws, d.amount, saved_pm, false, **off);
    else
      failure = failureAdvice(failure, true);
    if (!failure.empty()) {
    } else if (r.ok()) {
      payment = r->body.value("id", std::string());
      std::string status = r->body.value("status", std::string());
      if (status == "requires_action")
        failure =
            "the card needs authentication (3-D Secure), which an automatic payment cannot "
            "do; top up by hand or save another card";
    } else {
      failure = r.error().message;
      for (const auto& f : r.error().fields)
        if (f.field == "payment_method" && f.message == "declined: authentication_required")
          failure = failureAdvice("authentication_required", true);
    }
    auto st = ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
      if (failure.empty()) {
        MJ_TRY(
            tx.exec("UPDATE wallet_auto_top_ups SET consecutive_failures = 0, "
                    "last_payment_id = ?, updated_at = ? WHERE workspace_id = ?",
                    {payment, now, d.ws}));
        return {};
      }
      MJ_TRY(
          tx.exec("UPDATE wallet_auto_top_ups SET consecutive_failures = "
                  "consecutive_failures + 1, last_payment_id = ?, updated_at = ? WHERE "
                  "workspace_id = ?",
                  {payment.empty() ? store::Value(nullptr) : store::Value(payment), now, d.ws}));
      MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT consecutive_failures FROM wallet_auto_top_ups "
                                          "WHERE workspace_id = ?",
                                          {d.ws}));
      int64_t failures = row ? row->integer(0) : 0;
      std::string what = "The automatic top-up of " + std::to_string(d.amount) + " minor units (" +
                         cur + ") failed: " + failure + ".";
      if (failures >= kAutoTopUpMaxFailures) {
        MJ_TRY(
            tx.exec("UPDATE wallet_auto_top_ups SET enabled = 0, disabled_reason = ? WHERE "
                    "workspace_id = ?",
                    {std::to_string(failures) + " consecutive failures; last: " + failure, d.ws}));
        return notifyBilling(tx, d.ws, "billing_auto_top_up_disabled",
                             "Automatic top-up turned off",
                             what + " After " + std::to_string(failures) +
                                 " failures in a row, automatic top-up is now off; turn it on "
                                 "again with PUT …/wallet/auto-top-up.",
                             now);
      }
      return notifyBilling(tx, d.ws, "billing_auto_top_up_failed", "Automatic top-up failed",
                           what + " We will try again after the next charge (failure " +
                               std::to_string(failures) + " of " +
                               std::to_string(kAutoTopUpMaxFailures) + ").",
                           now);
    });
    if (!st.ok()) spdlog::warn("billing: auto top-up of {}: {}", d.ws, st.error().message);
  }
  return done;
}

}  // namespace mailjuke::core::billing
