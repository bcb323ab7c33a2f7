// Saved cards (issue 6): the sandbox enforces Stripe's off-session rules, and the service saves
// the card on the workspace's customer (created once) and charges it off-session for renewals
// and auto top-ups; on SQLite and PostgreSQL with the manual clock from MailDbTest.
#include <gtest/gtest.h>

#include "core/billing/billing_service.h"
#include "core/billing/billing_test_util.h"

namespace mailjuke::core::billing {
namespace {

ChargeRequest offSession(const std::string& pm, const std::string& customer) {
  ChargeRequest r{"ws_1", pm, 1000, "USD", "renewal", "pay_1"};
  r.customer = customer;
  r.off_session = true;
  return r;
}

TEST(SandboxSavedCards, OffSessionNeedsACardSavedOnThatCustomer) {
  auto p = makeSandboxProvider();
  EXPECT_EQ(*p->createCustomer({"ws_1", "Acme", "a@example.com", "k"}), "cus_sbx_ws_1");
  // Never saved: refused, with or without a customer.
  EXPECT_EQ(p->charge(offSession("tok_visa", ""))->failure_code, "payment_method_not_attached");
  EXPECT_EQ(p->charge(offSession("tok_visa", "cus_sbx_ws_1"))->failure_code,
            "payment_method_not_attached");
  auto saved = p->saveCard({"cus_sbx_ws_1", "tok_visa", "seti_1"});
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(saved->status, "saved");
  EXPECT_EQ(saved->payment_method, "pm_sbx.tok_visa.cus_sbx_ws_1");
  EXPECT_EQ(saved->last4, "4242");
  EXPECT_EQ(saved->country, "US");
  EXPECT_EQ(p->charge(offSession(saved->payment_method, "cus_sbx_ws_1"))->status, "succeeded");
  // Saved on another customer: refused, off-session and on-session alike.
  EXPECT_EQ(p->charge(offSession(saved->payment_method, "cus_sbx_ws_2"))->failure_code,
            "payment_method_not_attached");
  ChargeRequest on{"ws_2", saved->payment_method, 1000, "USD", "top_up", "pay_2"};
  EXPECT_EQ(p->charge(on)->status, "declined");
  EXPECT_EQ(p->saveCard({"cus_sbx_ws_2", saved->payment_method, "seti_2"})->status, "declined");
  // Unknown cards are not saved.
  auto bad = p->saveCard({"cus_sbx_ws_1", "tok_nonsense", "seti_3"});
  EXPECT_EQ(bad->status, "declined");
  EXPECT_EQ(bad->failure_code, "invalid_payment_method");
}

TEST(SandboxSavedCards, AuthenticationRequiredAndThreeDSecureSaving) {
  auto p = makeSandboxProvider();
  auto always = p->saveCard({"cus_sbx_ws_1", "tok_authenticationRequired", "seti_1"});
  ASSERT_EQ(always->status, "saved");
  auto off = p->charge(offSession(always->payment_method, "cus_sbx_ws_1"));
  EXPECT_EQ(off->status, "declined");
  EXPECT_EQ(off->failure_code, "authentication_required");
  // 3-D Secure at saving: the confirm step finishes it; later off-session charges go through.
  auto tds = p->saveCard({"cus_sbx_ws_1", "tok_3ds_required", "seti_2"});
  ASSERT_EQ(tds->status, "requires_action");
  auto confirmed = p->confirmSavedCard(tds->provider_ref);
  ASSERT_TRUE(confirmed.ok());
  EXPECT_EQ(confirmed->status, "saved");
  EXPECT_EQ(confirmed->payment_method, "pm_sbx.tok_3ds_required.cus_sbx_ws_1");
  EXPECT_FALSE(p->confirmSavedCard("seti_sbx_nothing").ok());
}

TEST(SandboxSavedCards, SaveForFutureOnAnOnSessionChargeNeedsTheCustomer) {
  auto p = makeSandboxProvider();
  ChargeRequest r{"ws_1", "tok_visa", 1000, "USD", "invoice", "pay_1"};
  r.save_for_future = true;
  EXPECT_EQ(p->charge(r)->failure_code, "customer_required");
  r.customer = "cus_sbx_ws_1";
  auto out = p->charge(r);
  EXPECT_EQ(out->status, "succeeded");
  EXPECT_EQ(out->saved_payment_method, "pm_sbx.tok_visa.cus_sbx_ws_1");
  r.payment_method = "tok_chargeDeclined";
  EXPECT_EQ(p->charge(r)->saved_payment_method, "");  // declined: nothing saved
}

class SavedCardTest : public BillingDbTest {
 protected:
  std::string text(const std::string& sql, const store::Params& params = {}) {
    auto r = db_->read<std::string>([&](store::Tx& tx) -> Result<std::string> {
      MJ_TRY_ASSIGN(auto row, tx.queryOne(sql, params));
      return row && !row->isNull(0) ? row->text(0) : std::string();
    });
    return r.ok() ? *r : std::string();
  }
  void exec(const std::string& sql) {
    ASSERT_TRUE(db_->run(store::TxMode::kWrite,
                         [&](store::Tx& tx) -> Status {
                           MJ_TRY(tx.exec(sql));
                           return {};
                         })
                    .ok());
  }
};

TEST_P(SavedCardTest, SubscribingSavesTheCardOnceAndRenewalsChargeItOffSession) {
  ctx_->settings.billing.wallet_first = false;
  auto sub = service_->changeSubscription(owner_, "ws_1", {"starter", std::nullopt, "tok_visa"});
  ASSERT_TRUE(sub.ok()) << sub.error().message;
  const std::string saved = "pm_sbx.tok_visa.cus_sbx_ws_1";
  EXPECT_EQ((*sub)["payment_method"], saved);
  EXPECT_EQ(count("SELECT COUNT(*) FROM billing_customers"), 1);
  EXPECT_EQ(text("SELECT customer_ref FROM billing_customers"), "cus_sbx_ws_1");
  EXPECT_EQ(text("SELECT payment_method FROM billing_customers"), saved);
  // Upgrading with the same card again: still one customer.
  ASSERT_TRUE(
      service_->changeSubscription(owner_, "ws_1", {"growth", std::nullopt, "tok_visa"}).ok());
  EXPECT_EQ(count("SELECT COUNT(*) FROM billing_customers"), 1);
  clock_.setSeconds(parseRfc3339("2026-01-01T00:00:00Z"));
  auto report = service_->runRenewals();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->renewed, 1);
  std::string inv = text("SELECT id FROM invoices WHERE reason = 'subscription_cycle'");
  EXPECT_EQ(text("SELECT payment_method FROM payments WHERE invoice_id = ?", {inv}), saved);
  EXPECT_EQ(text("SELECT status FROM invoices WHERE id = ?", {inv}), "paid");
}

TEST_P(SavedCardTest, ACardGivenWhileTheWalletPaysIsSavedThroughASetupIntent) {
  ctx_->settings.billing.wallet_first = true;
  ASSERT_TRUE(Ledger(*ctx_).topUp("ws_1", "USD", 3900).ok());
  auto sub = service_->changeSubscription(owner_, "ws_1", {"starter", std::nullopt, "tok_gb"});
  ASSERT_TRUE(sub.ok()) << sub.error().message;
  EXPECT_EQ((*sub)["invoice"]["paid_with"], "wallet");
  EXPECT_EQ(count("SELECT COUNT(*) FROM payments"), 0);  // no card charge
  EXPECT_EQ((*sub)["payment_method"], "pm_sbx.tok_gb.cus_sbx_ws_1");
  EXPECT_EQ(text("SELECT card_country FROM billing_customers"), "GB");
  // A card that cannot be saved changes nothing.
  auto bad = service_->changeSubscription(owner_, "ws_1", {"growth", std::nullopt, "tok_bogus"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kPaymentRequired);
  EXPECT_EQ(text("SELECT plan_id FROM subscriptions"), "starter");
}

TEST_P(SavedCardTest, ANewCardThatNeedsThreeDSecureIsSavedWhenItsPaymentIsConfirmed) {
  ctx_->settings.billing.wallet_first = false;
  auto sub =
      service_->changeSubscription(owner_, "ws_1", {"starter", std::nullopt, "tok_3ds_required"});
  ASSERT_FALSE(sub.ok());
  EXPECT_EQ(sub.error().code, ErrorCode::kPaymentRequired);
  EXPECT_EQ(text("SELECT payment_method FROM billing_customers"), "");
  std::string pay = text("SELECT id FROM payments WHERE status = 'requires_action'");
  ASSERT_FALSE(pay.empty());
  auto confirmed = service_->confirmTopUp(owner_, "ws_1", pay);
  ASSERT_TRUE(confirmed.ok()) << confirmed.error().message;
  EXPECT_EQ((*confirmed)["status"], "succeeded");
  EXPECT_EQ(text("SELECT payment_method FROM billing_customers"),
            "pm_sbx.tok_3ds_required.cus_sbx_ws_1");
}

TEST_P(SavedCardTest, ReplaceConfirmAndDeclineTheSavedCard) {
  auto got = service_->savedCard(owner_, "ws_1");
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE((*got)["customer"].is_null());
  auto de = service_->replaceSavedCard(owner_, "ws_1", "tok_de");
  ASSERT_TRUE(de.ok()) << de.error().message;
  EXPECT_EQ(de->status, 200);
  EXPECT_EQ(de->body["status"], "saved");
  EXPECT_EQ(de->body["country"], "DE");
  EXPECT_EQ(de->body["last4"], "4242");
  EXPECT_EQ(de->body["customer"], "cus_sbx_ws_1");
  auto tds = service_->replaceSavedCard(owner_, "ws_1", "tok_3ds_required");
  ASSERT_TRUE(tds.ok());
  EXPECT_EQ(tds->status, 202);
  EXPECT_EQ(tds->body["status"], "requires_action");
  EXPECT_EQ(tds->body["payment_method"], "pm_sbx.tok_de.cus_sbx_ws_1");  // not replaced yet
  EXPECT_EQ(tds->body["pending"]["payment_method"], "tok_3ds_required");
  auto confirmed = service_->confirmSavedCard(owner_, "ws_1");
  ASSERT_TRUE(confirmed.ok()) << confirmed.error().message;
  EXPECT_EQ(confirmed->status, 200);
  EXPECT_EQ(confirmed->body["payment_method"], "pm_sbx.tok_3ds_required.cus_sbx_ws_1");
  EXPECT_TRUE(confirmed->body["pending"].is_null());
  EXPECT_EQ(service_->confirmSavedCard(owner_, "ws_1").error().code, ErrorCode::kConflict);
  auto bad = service_->replaceSavedCard(owner_, "ws_1", "tok_nonsense");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kPaymentRequired);
  ASSERT_EQ(bad.error().fields.size(), 1u);
  EXPECT_EQ(bad.error().fields[0].field, "payment_method");
  EXPECT_EQ(count("SELECT COUNT(*) FROM billing_customers"), 1);
  // A viewer-less principal of another workspace sees nothing.
  Principal other = owner_;
  other.key_workspace_id = "ws_2";
  EXPECT_FALSE(service_->replaceSavedCard(other, "ws_1", "tok_visa").ok());
}

TEST_P(SavedCardTest, ARenewalOfACardFromBeforeSavedCardsSavesItFirst) {
  ctx_->settings.billing.wallet_first = false;
  ASSERT_TRUE(
      service_->changeSubscription(owner_, "ws_1", {"starter", std::nullopt, "tok_visa"}).ok());
  exec("DELETE FROM billing_customers");
  exec("UPDATE subscriptions SET payment_method = 'tok_visa'");
  clock_.setSeconds(parseRfc3339("2026-01-01T00:00:00Z"));
  EXPECT_EQ(service_->runRenewals()->renewed, 1);
  EXPECT_EQ(text("SELECT payment_method FROM subscriptions"), "pm_sbx.tok_visa.cus_sbx_ws_1");
}

TEST_P(SavedCardTest, AutoTopUpChargesOffSessionAndExplainsAuthenticationRequired) {
  auto set = service_->setAutoTopUp(owner_, "ws_1", {true, 2000, 3000, "tok_visa"});
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ((*set)["payment_method"], "pm_sbx.tok_visa.cus_sbx_ws_1");
  // Omitting payment_method keeps the saved card.
  set = service_->setAutoTopUp(owner_, "ws_1", {true, 2000, 3000, ""});
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ((*set)["payment_method"], "pm_sbx.tok_visa.cus_sbx_ws_1");
  ASSERT_TRUE(Ledger(*ctx_).topUp("ws_1", "USD", 1000).ok());
  auto charge = [&](int64_t n) {
    ASSERT_TRUE(Ledger(*ctx_).charge("ws_1", "USD", 100, "test", "test:" + std::to_string(n)).ok());
  };
  charge(1);
  EXPECT_EQ(*service_->runAutoTopUps(), 1);
  EXPECT_EQ(text("SELECT payment_method FROM payments WHERE purpose = 'top_up' AND status = "
                 "'succeeded'"),
            "pm_sbx.tok_visa.cus_sbx_ws_1");
  // The bank wants the cardholder for every payment: three failures turn it off, saying why.
  ASSERT_TRUE(service_->replaceSavedCard(owner_, "ws_1", "tok_authenticationRequired").ok());
  ASSERT_TRUE(service_->setAutoTopUp(owner_, "ws_1", {true, 100000, 3000, ""}).ok());
  for (int i = 2; i <= 4; ++i) {
    charge(i);
    EXPECT_EQ(*service_->runAutoTopUps(), 1);
  }
  std::string reason = text("SELECT disabled_reason FROM wallet_auto_top_ups");
  EXPECT_NE(reason.find("authentication_required"), std::string::npos) << reason;
  EXPECT_NE(reason.find("top up by hand"), std::string::npos) << reason;
  EXPECT_EQ(count("SELECT COUNT(*) FROM payments WHERE failure_code = 'authentication_required'"),
            3);
}

INSTANTIATE_TEST_SUITE_P(Engines, SavedCardTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace mailjuke::core::billing
