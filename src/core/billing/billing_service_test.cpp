#include "core/billing/billing_service.h"

#include <gtest/gtest.h>

#include "core/billing/billing_test_util.h"
#include "core/billing/limits.h"

namespace mailjuke::core::billing {
namespace {

// Subscriptions, invoices, top-ups, renewals on SQLite and PostgreSQL (MAILJUKE_TEST_PG_URL),
// with a manual clock starting 2025-12-01T00:00:00Z and the sandbox provider.
class BillingTest : public BillingDbTest {
 protected:
  Json subscribe(const std::string& plan, std::optional<std::string> pm = "tok_visa",
                 bool preview = false, std::optional<Interval> interval = std::nullopt) {
    auto r = service_->changeSubscription(owner_, "ws_1", {plan, interval, pm, preview});
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : Json();
  }
  int64_t balance() {
    return count("SELECT balance FROM ledger_accounts WHERE id = ?",
                 {walletAccountId("ws_1", "USD")});
  }
  int64_t outboxCount(const std::string& kind) {
    return count("SELECT COUNT(*) FROM outbox WHERE kind = ?", {kind});
  }
};

TEST_P(BillingTest, SubscribeByCardThenUpgradeMidPeriodProratedToTheSecond) {
  Json sub = subscribe("starter");
  EXPECT_EQ(sub["status"], "active");
  EXPECT_EQ(sub["invoice"]["status"], "paid");
  EXPECT_EQ(sub["invoice"]["number"], "MJ-2025-000001");
  EXPECT_EQ(sub["invoice"]["total"]["amount"], 3900);
  EXPECT_EQ(sub["current_period_end"], "2026-01-01T00:00:00Z");
  EXPECT_EQ(sub["limits"]["mailboxes"], 10);
  EXPECT_EQ(balance(), 0);  // the card's money went through the wallet to revenue
  // Half of December (31 days) later: -$19.50 unused Starter, +$49.50 remaining Growth.
  clock_.advanceSeconds(31 * 86400 / 2);
  Json preview = subscribe("growth", std::nullopt, true);
  EXPECT_EQ(preview["preview"], true);
  ASSERT_EQ(preview["lines"].size(), 2u);
  EXPECT_EQ(preview["lines"][0]["amount"]["amount"], -1950);
  EXPECT_EQ(preview["lines"][1]["amount"]["amount"], 4950);
  EXPECT_EQ(preview["total"]["amount"], 3000);
  EXPECT_EQ(preview["pays_with"], "card");
  EXPECT_EQ(count("SELECT COUNT(*) FROM invoices"), 1);  // a preview changes nothing
  Json up = subscribe("growth");
  EXPECT_EQ(up["plan_id"], "growth");
  EXPECT_EQ(up["invoice"]["total"]["amount"], 3000);
  EXPECT_EQ(up["invoice"]["number"], "MJ-2025-000002");
  EXPECT_EQ(up["current_period_end"], "2026-01-01T00:00:00Z");  // same cycle
  // Downgrade right after: a credit to the wallet.
  Json down = subscribe("starter");
  EXPECT_LT(down["invoice"]["total"]["amount"].get<int64_t>(), 0);
  EXPECT_EQ(balance(), -down["invoice"]["total"]["amount"].get<int64_t>());
  EXPECT_TRUE(Ledger(*ctx_).checkInvariants().ok());
}

TEST_P(BillingTest, WalletPaysFirstAndDeclinedCardsChangeNothing) {
  ASSERT_TRUE(Ledger(*ctx_).topUp("ws_1", "USD", 5000).ok());
  Json sub = subscribe("starter", "tok_chargeDeclined");
  EXPECT_EQ(sub["invoice"]["paid_with"], "wallet");
  EXPECT_EQ(balance(), 1100);
  auto r = service_->changeSubscription(owner_, "ws_1", {"pro", {}, "tok_chargeDeclined", false});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kPaymentRequired);
  EXPECT_EQ(count("SELECT COUNT(*) FROM invoices"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM payments WHERE status = 'failed'"), 1);
  // A viewer may read but not change.
  Principal viewer = owner_;
  viewer.key_role = Role::kViewer;
  EXPECT_TRUE(service_->subscription(viewer, "ws_1").ok());
  EXPECT_EQ(service_->changeSubscription(viewer, "ws_1", {"pro", {}, {}, false}).error().code,
            ErrorCode::kForbidden);
  EXPECT_EQ(service_->cancelSubscription(viewer, "ws_1").error().code, ErrorCode::kForbidden);
}

TEST_P(BillingTest, FinalisedInvoicesAreImmutableInTheDatabase) {
  Json sub = subscribe("starter");
  std::string inv = sub["invoice"]["id"].get<std::string>();
  auto edit = [&](const std::string& sql) {
    return db_->run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
      MJ_TRY(tx.exec(sql, {inv}));
      return {};
    });
  };
  EXPECT_FALSE(edit("UPDATE invoices SET total = 1 WHERE id = ?").ok());
  EXPECT_FALSE(edit("UPDATE invoices SET status = 'void' WHERE id = ?").ok());  // paid is final
  EXPECT_FALSE(edit("DELETE FROM invoice_lines WHERE invoice_id = ?").ok());
  EXPECT_FALSE(edit("UPDATE invoice_lines SET amount = 0 WHERE invoice_id = ?").ok());
  EXPECT_FALSE(edit("INSERT INTO invoice_lines (id, invoice_id, position, description, quantity, "
                    "unit_amount, amount) VALUES ('inl_x', ?, 9, 'x', 1, 1, 1)")
                   .ok());
  EXPECT_FALSE(edit("DELETE FROM invoices WHERE id = ?").ok());
  EXPECT_EQ(count("SELECT total FROM invoices WHERE id = ?", {inv}), 3900);
}

TEST_P(BillingTest, CancelAtPeriodEndResumeAndEndOfSubscription) {
  subscribe("starter");
  auto canceled = service_->cancelSubscription(owner_, "ws_1");
  ASSERT_TRUE(canceled.ok());
  EXPECT_EQ((*canceled)["cancel_at_period_end"], true);
  EXPECT_EQ(outboxCount("billing_cancellation"), 1);
  Json resumed = subscribe("starter");
  EXPECT_EQ(resumed["cancel_at_period_end"], false);
  EXPECT_EQ(count("SELECT COUNT(*) FROM invoices"), 1);  // resuming charges nothing
  ASSERT_TRUE(service_->cancelSubscription(owner_, "ws_1").ok());
  clock_.setSeconds(parseRfc3339("2026-01-01T00:00:00Z"));
  auto report = service_->runRenewals();
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->canceled, 1);
  Json none = *service_->subscription(owner_, "ws_1");
  EXPECT_EQ(none["status"], "none");
  EXPECT_EQ(none["limits"]["mailboxes"], 3);  // the trial allowance again
  EXPECT_EQ(count("SELECT COUNT(*) FROM invoices"), 1);
}

TEST_P(BillingTest, RenewalNoticeThenRenewalFromTheWallet) {
  subscribe("starter");
  ASSERT_TRUE(Ledger(*ctx_).topUp("ws_1", "USD", 3900).ok());
  clock_.setSeconds(parseRfc3339("2025-12-25T00:00:01Z"));  // 7 days before
  ASSERT_TRUE(service_->runRenewals().ok());
  ASSERT_TRUE(service_->runRenewals().ok());
  EXPECT_EQ(outboxCount("billing_renewal_notice"), 1);  // once per period
  clock_.setSeconds(parseRfc3339("2026-01-01T00:00:05Z"));
  auto report = service_->runRenewals();
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->renewed, 1);
  EXPECT_EQ(balance(), 0);
  Json sub = *service_->subscription(owner_, "ws_1");
  EXPECT_EQ(sub["status"], "active");
  EXPECT_EQ(sub["current_period_start"], "2026-01-01T00:00:00Z");
  EXPECT_EQ(sub["current_period_end"], "2026-02-01T00:00:00Z");
  EXPECT_EQ(count("SELECT COUNT(*) FROM invoices WHERE reason = 'subscription_cycle' AND status "
                  "= 'paid' AND number = 'MJ-2026-000001'"),
            1);
  EXPECT_EQ(service_->runRenewals()->renewed, 0);  // nothing twice
}

TEST_P(BillingTest, DeclinedRenewalRetriesThenPastDueThenCanceled) {
  ASSERT_TRUE(Ledger(*ctx_).topUp("ws_1", "USD", 3900).ok());
  subscribe("starter", "tok_chargeDeclined");  // the wallet pays the first period
  clock_.setSeconds(parseRfc3339("2026-01-01T00:00:00Z"));
  auto first = service_->runRenewals();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->failed, 1);
  Json sub = *service_->subscription(owner_, "ws_1");
  EXPECT_EQ(sub["status"], "past_due");
  EXPECT_EQ(sub["next_retry_at"], "2026-01-02T00:00:00Z");
  EXPECT_EQ(outboxCount("billing_payment_failed"), 1);
  // Past due: no new mailboxes.
  auto st = db_->run(store::TxMode::kWrite, [&](store::Tx& tx) {
    return checkCanAddMailboxes(tx, ctx_->settings.billing, "ws_1");
  });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kPaymentRequired);
  // Eight retries over two weeks, then canceled and the invoice uncollectible.
  int retries = 0;
  for (int64_t h : ctx_->settings.billing.retry_hours) {
    clock_.setSeconds(parseRfc3339("2026-01-01T00:00:00Z") + h * 3600);
    auto r = service_->runRenewals();
    ASSERT_TRUE(r.ok());
    ++retries;
    if (r->canceled) break;
  }
  EXPECT_EQ(retries, 8);
  sub = *service_->subscription(owner_, "ws_1");
  EXPECT_EQ(sub["status"], "none");
  EXPECT_EQ(count("SELECT COUNT(*) FROM invoices WHERE status = 'uncollectible'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM subscriptions WHERE status = 'canceled'"), 1);
  EXPECT_EQ(outboxCount("billing_canceled"), 1);
}

TEST_P(BillingTest, CardFirstRetryPaysFromAnEarlierCardPaymentInsteadOfChargingTwice) {
  auto text = [&](const std::string& sql, const store::Params& params = {}) {
    auto r = db_->read<std::string>([&](store::Tx& tx) -> Result<std::string> {
      MJ_TRY_ASSIGN(auto row, tx.queryOne(sql, params));
      return row ? row->text(0) : std::string();
    });
    return r.ok() ? *r : std::string();
  };
  ctx_->settings.billing.wallet_first = false;
  subscribe("starter");  // tok_visa pays the first period (and is saved on the customer)
  // A card whose bank always wants the cardholder: saved, but off-session charges decline.
  auto saved = service_->replaceSavedCard(owner_, "ws_1", "tok_authenticationRequired");
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  ASSERT_EQ(saved->status, 200);
  clock_.setSeconds(parseRfc3339("2026-01-01T00:00:00Z"));
  ASSERT_EQ(service_->runRenewals()->failed, 1);  // authentication_required off-session
  std::string inv = text("SELECT id FROM invoices WHERE reason = 'subscription_cycle'");
  EXPECT_EQ(text("SELECT failure_code FROM payments WHERE invoice_id = ?", {inv}),
            "authentication_required");
  std::string notice = text(
      "SELECT body_text FROM outbox WHERE kind = 'billing_payment_failed' ORDER BY "
      "created_at DESC LIMIT 1");
  EXPECT_NE(notice.find("asks the cardholder to confirm"), std::string::npos) << notice;
  // The customer pays on-session with a 3-D Secure card: it needs the confirm step (402).
  auto retry =
      service_->changeSubscription(owner_, "ws_1", {"starter", std::nullopt, "tok_3ds_required"});
  ASSERT_FALSE(retry.ok());
  std::string pay =
      text("SELECT id FROM payments WHERE invoice_id = ? AND status = 'requires_action'", {inv});
  ASSERT_FALSE(pay.empty());
  ASSERT_TRUE(service_->confirmTopUp(owner_, "ws_1", pay).ok());  // the customer confirms
  EXPECT_EQ(balance(), 3900);
  clock_.setSeconds(parseRfc3339("2026-01-03T00:00:00Z"));
  EXPECT_EQ(service_->runRenewals()->recovered, 1);
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM payments WHERE invoice_id = ? AND status = 'succeeded'", {inv}),
      1);  // once
  EXPECT_EQ(balance(), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM invoices WHERE id = ? AND status = 'paid'", {inv}), 1);
}

TEST_P(BillingTest, PastDueRecoversWhenTheWalletIsToppedUp) {
  ASSERT_TRUE(Ledger(*ctx_).topUp("ws_1", "USD", 3900).ok());
  subscribe("starter", "tok_chargeDeclined");
  clock_.setSeconds(parseRfc3339("2026-01-01T00:00:00Z"));
  ASSERT_EQ(service_->runRenewals()->failed, 1);
  ASSERT_TRUE(Ledger(*ctx_).topUp("ws_1", "USD", 3900).ok());
  clock_.setSeconds(parseRfc3339("2026-01-02T00:00:00Z"));
  EXPECT_EQ(service_->runRenewals()->recovered, 1);
  EXPECT_EQ((*service_->subscription(owner_, "ws_1"))["status"], "active");
  EXPECT_EQ(balance(), 0);
}

TEST_P(BillingTest, TopUpsWithSandboxCardsAndFraudReview) {
  auto ok = service_->topUp(owner_, "ws_1", 2500, "tok_visa");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->status, 201);
  EXPECT_EQ(ok->body["wallet_balance"]["amount"], 2500);
  auto declined = service_->topUp(owner_, "ws_1", 2500, "tok_chargeDeclined");
  ASSERT_FALSE(declined.ok());
  EXPECT_EQ(declined.error().code, ErrorCode::kPaymentRequired);
  auto three_ds = service_->topUp(owner_, "ws_1", 1000, "tok_3ds_required");
  ASSERT_TRUE(three_ds.ok());
  EXPECT_EQ(three_ds->status, 202);
  EXPECT_EQ(three_ds->body["status"], "requires_action");
  EXPECT_EQ(balance(), 2500);
  auto confirmed = service_->confirmTopUp(owner_, "ws_1", three_ds->body["id"].get<std::string>());
  ASSERT_TRUE(confirmed.ok()) << confirmed.error().message;
  EXPECT_EQ(balance(), 3500);
  auto fraud = service_->topUp(owner_, "ws_1", 1000, "tok_fraud");
  ASSERT_TRUE(fraud.ok());
  EXPECT_EQ(fraud->status, 202);
  EXPECT_EQ(fraud->body["status"], "held");
  EXPECT_EQ(fraud->body["fraud_review"]["rules"][0], "test_card_fraud");
  EXPECT_EQ(balance(), 3500);
  auto reviews = service_->fraudReviews(std::string("open"), std::nullopt, 50);
  ASSERT_TRUE(reviews.ok());
  ASSERT_EQ(reviews->data.size(), 1u);
  Principal op;
  op.kind = Principal::Kind::kUser;
  op.user_id = "usr_1";
  op.is_operator = true;
  auto approved = service_->decideFraudReview(op, reviews->data[0]["id"].get<std::string>(), true,
                                              "known customer");
  ASSERT_TRUE(approved.ok()) << approved.error().message;
  EXPECT_EQ((*approved)["status"], "approved");
  EXPECT_EQ((*approved)["payment_status"], "succeeded");
  EXPECT_EQ(balance(), 4500);
  EXPECT_EQ(service_->decideFraudReview(op, reviews->data[0]["id"].get<std::string>(), false, "")
                .error()
                .code,
            ErrorCode::kConflict);
  // Velocity: the sixth top-up within the hour is held.
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(service_->topUp(owner_, "ws_1", 500, "tok_visa").ok());
  auto fast = service_->topUp(owner_, "ws_1", 500, "tok_visa");
  ASSERT_TRUE(fast.ok());
  EXPECT_EQ(fast->body["status"], "held");
  EXPECT_TRUE(Ledger(*ctx_).checkInvariants().ok());
}

TEST_P(BillingTest, LimitsFollowThePlanAndNameTheUpgrade) {
  auto l = limitsFor(*ctx_, "ws_1");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->plan_id, "trial");
  EXPECT_EQ(l->mailboxes, 3);
  for (int i = 0; i < 3; ++i) makeMailbox("m" + std::to_string(i));
  auto st = db_->run(store::TxMode::kWrite, [&](store::Tx& tx) {
    return checkCanAddMailboxes(tx, ctx_->settings.billing, "ws_1");
  });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kPaymentRequired);
  EXPECT_NE(st.error().message.find("upgrade to starter"), std::string::npos) << st.error().message;
  subscribe("starter");
  l = limitsFor(*ctx_, "ws_1");
  EXPECT_EQ(l->mailboxes, 10);
  EXPECT_EQ(l->storage_bytes_per_mailbox, int64_t(5) << 30);
  // A plan smaller than the mailboxes in use is refused.
  for (int i = 3; i < 10; ++i) makeMailbox("m" + std::to_string(i));
  ctx_->settings.billing.plans.push_back({"tiny", "Tiny", 2, 100, 1000, 1});
  auto r = service_->changeSubscription(owner_, "ws_1", {"tiny", {}, {}, false});
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
}

TEST_P(BillingTest, YearlySwitchRestartsTheCycle) {
  subscribe("starter");
  clock_.advanceSeconds(10 * 86400);
  Json y = subscribe("starter", "tok_visa", false, Interval::kYear);
  EXPECT_EQ(y["interval"], "year");
  EXPECT_EQ(y["current_period_start"], "2025-12-11T00:00:00Z");
  EXPECT_EQ(y["current_period_end"], "2026-12-11T00:00:00Z");
  // 21 of 31 days unused on $39 → -$26.42; + $390 for the year.
  EXPECT_EQ(y["invoice"]["total"]["amount"], 39000 - 2642);
}

INSTANTIATE_TEST_SUITE_P(Engines, BillingTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace mailjuke::core::billing
