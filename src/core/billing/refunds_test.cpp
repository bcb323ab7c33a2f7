// Refunds and the Stripe provider inside BillingService, on SQLite and PostgreSQL
// (MAILJUKE_TEST_PG_URL), with a fake Stripe transport (no network).
#include <gtest/gtest.h>

#include "core/billing/billing_service.h"
#include "core/billing/stripe_client.h"
#include "core/billing/stripe_signature.h"
#include "core/mail/mail_test_util.h"

namespace mailjuke::core::billing {
namespace {

constexpr const char* kSecret = "whsec_unit";

class RefundTest : public testing::MailDbTest {
 protected:
  void SetUp() override {
    testing::MailDbTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    owner_.kind = Principal::Kind::kApiKey;
    owner_.api_key_id = "key_owner";
    owner_.key_workspace_id = "ws_1";
    owner_.key_role = Role::kOwner;
    op_.kind = Principal::Kind::kUser;
    op_.user_id = "usr_op";
    op_.is_operator = true;
    ctx_->settings.billing.stripe_webhook_secret = kSecret;
    StripeConfig c;
    c.secret_key = "sk_test";
    c.retry_delay_ms = 1;
    provider_ = makeStripeProvider(c, [this](const StripeHttpRequest& r) { return stripe(r); });
    service_ = std::make_unique<BillingService>(*ctx_, *provider_);
  }

  // A small Stripe: PaymentIntents succeed (pm_3ds needs action), refunds succeed; `down`
  // makes every call fail like a timeout.
  Result<StripeHttpResponse> stripe(const StripeHttpRequest& r) {
    ++calls_;
    if (down_) return Error::make(ErrorCode::kUnavailable, "timed out");
    std::string key;
    for (const auto& [k, v] : r.headers)
      if (k == "Idempotency-Key") key = v;
    if (r.url.ends_with("/v1/payment_intents")) {
      std::string status =
          r.body.find("payment_method=pm_3ds") != std::string::npos          ? "requires_action"
          : r.body.find("payment_method=pm_processing") != std::string::npos ? "processing"
                                                                             : "succeeded";
      return StripeHttpResponse{200, Json{{"id", "pi_" + key}, {"status", status}}.dump()};
    }
    if (r.url.find("/v1/payment_methods/") != std::string::npos) {
      methods_.push_back(r.url.substr(r.url.rfind('/') + 1));
      if (r.url.ends_with("pm_lookupdown")) return Error::make(ErrorCode::kUnavailable, "reset");
      Json card = {{"brand", "visa"}, {"country", r.url.ends_with("pm_de") ? "de" : "US"}};
      return StripeHttpResponse{200, Json{{"id", r.url.substr(r.url.rfind('/') + 1)},
                                          {"object", "payment_method"},
                                          {"card", card}}
                                         .dump()};
    }
    if (r.url.ends_with("/v1/refunds")) {
      refund_bodies_.push_back(r.body);
      if (on_refund_) on_refund_(key);
      return StripeHttpResponse{
          200,
          Json{{"id", "re_" + key}, {"status", pending_refunds_ ? "pending" : "succeeded"}}.dump()};
    }
    return StripeHttpResponse{
        200, Json{{"id", r.url.substr(r.url.rfind('/') + 1)}, {"status", "succeeded"}}.dump()};
  }

  std::string topUp(int64_t amount, const std::string& pm = "pm_card_visa") {
    auto r = service_->topUp(owner_, "ws_1", amount, pm);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? r->body["id"].get<std::string>() : "";
  }
  int64_t balance() {
    return count("SELECT balance FROM ledger_accounts WHERE id = ?",
                 {walletAccountId("ws_1", "USD")});
  }
  Result<Json> webhook(const Json& event) {
    std::string body = event.dump();
    int64_t t = clock_.nowSeconds();
    return service_->stripeWebhook(
        "t=" + std::to_string(t) + ",v1=" + stripeSignatureV1(kSecret, t, body), body);
  }
  void expectBooksBalance() {
    auto st = Ledger(*ctx_).checkInvariants();
    EXPECT_TRUE(st.ok()) << st.error().message;
  }

  Principal owner_, op_;
  std::unique_ptr<PaymentProvider> provider_;
  std::unique_ptr<BillingService> service_;
  bool down_ = false;
  int calls_ = 0;
  std::vector<std::string> refund_bodies_;
  bool pending_refunds_ = false;
  std::vector<std::string> methods_;                   // payment methods retrieved
  std::function<void(const std::string&)> on_refund_;  // called with the refund id
};

TEST_P(RefundTest, StripeChargeAndItsWebhookCreditOnce) {
  std::string pay = topUp(2000);
  EXPECT_EQ(balance(), 2000);
  Json ev = {{"id", "evt_1"},
             {"type", "payment_intent.succeeded"},
             {"created", clock_.nowSeconds()},
             {"data", {{"object", {{"id", "pi_" + pay}, {"status", "succeeded"}}}}}};
  auto w = webhook(ev);
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_EQ((*w)["applied"], true);
  EXPECT_EQ(balance(), 2000);  // credited by the answer, not again by the event
  ev["id"] = "evt_2";
  ASSERT_TRUE(webhook(ev).ok());
  EXPECT_EQ(balance(), 2000);
  expectBooksBalance();
}

TEST_P(RefundTest, AnUnreachableProviderCreditsNothingUntilTheWebhookSaysItWorked) {
  down_ = true;
  auto r = service_->topUp(owner_, "ws_1", 1500, "pm_card_visa");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(calls_, 3);  // retried with the same key
  EXPECT_EQ(balance(), 0);
  std::string pay =
      service_->payments(std::string("ws_1"), std::nullopt, 10)->data[0]["id"].get<std::string>();
  EXPECT_EQ(count("SELECT COUNT(*) FROM payments WHERE id = ? AND status = 'failed' AND "
                  "failure_code = 'provider_unavailable'",
                  {pay}),
            1);
  // Stripe did charge after all: the event names our payment in its metadata.
  Json ev = {
      {"id", "evt_late"},
      {"type", "payment_intent.succeeded"},
      {"created", clock_.nowSeconds()},
      {"data", {{"object", {{"id", "pi_late"}, {"metadata", {{"mailjuke_payment", pay}}}}}}}};
  auto w = webhook(ev);
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_EQ(balance(), 1500);
  ev["id"] = "evt_late_again";
  ASSERT_TRUE(webhook(ev).ok());
  EXPECT_EQ(balance(), 1500);
  // An event for a payment of ours that is not recorded yet is not acknowledged (Stripe retries).
  ev["id"] = "evt_early";
  ev["data"]["object"] = {{"id", "pi_x"}, {"metadata", {{"mailjuke_payment", "pay_unknown"}}}};
  EXPECT_EQ(webhook(ev).error().code, ErrorCode::kConflict);
  EXPECT_EQ(count("SELECT COUNT(*) FROM stripe_events WHERE id = 'evt_early'"), 0);
  expectBooksBalance();
}

TEST_P(RefundTest, OperatorRefundsPartThenTheRestNeverMore) {
  std::string pay = topUp(3000);
  auto r = service_->refundPayment(op_, pay, 1000, "duplicate top-up");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)["status"], "succeeded");
  EXPECT_EQ((*r)["amount"]["amount"], 1000);
  EXPECT_EQ((*r)["wallet_balance"]["amount"], 2000);
  ASSERT_EQ(refund_bodies_.size(), 1u);
  EXPECT_NE(refund_bodies_[0].find("payment_intent=pi_" + pay + "&amount=1000"), std::string::npos);
  auto too_much = service_->refundPayment(op_, pay, 2500, "x");
  ASSERT_FALSE(too_much.ok());
  EXPECT_EQ(too_much.error().code, ErrorCode::kConflict);
  EXPECT_NE(too_much.error().message.find("refundable now: 2000 usd"), std::string::npos)
      << too_much.error().message;
  auto rest = service_->refundPayment(op_, pay, std::nullopt, "customer left");
  ASSERT_TRUE(rest.ok()) << rest.error().message;
  EXPECT_EQ((*rest)["amount"]["amount"], 2000);
  EXPECT_EQ(balance(), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM payments WHERE id = ? AND status = 'refunded'", {pay}), 1);
  EXPECT_EQ(service_->refundPayment(op_, pay, 1, "x").error().code, ErrorCode::kConflict);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_events WHERE action = 'payment.refund'"), 2);
  auto list = service_->payments(std::string("ws_1"), std::nullopt, 10);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->data[0]["refunded"]["amount"], 3000);
  EXPECT_EQ(list->data[0]["refundable"]["amount"], 0);
  expectBooksBalance();
}

TEST_P(RefundTest, ARefundNeverTakesTheWalletBelowZero) {
  std::string pay = topUp(3000);
  ASSERT_TRUE(Ledger(*ctx_).charge("ws_1", "USD", 2500, "spent").ok());
  auto r = service_->refundPayment(op_, pay, std::nullopt, "asked");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_NE(r.error().message.find("refundable now: 500 usd"), std::string::npos)
      << r.error().message;
  ASSERT_EQ(r.error().fields.size(), 1u);
  EXPECT_EQ(r.error().fields[0].field, "amount");
  EXPECT_TRUE(service_->refundPayment(op_, pay, 500, "asked").ok());
  EXPECT_EQ(balance(), 0);
  expectBooksBalance();
}

TEST_P(RefundTest, AFailedProviderRefundLeavesTheWalletAsItWas) {
  std::string pay = topUp(1000);
  down_ = true;
  auto r = service_->refundPayment(op_, pay, 400, "asked");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(balance(), 1000);
  EXPECT_EQ(count("SELECT COUNT(*) FROM refunds WHERE status = 'failed'"), 1);
  down_ = false;
  auto again = service_->refundPayment(op_, pay, 1000, "asked");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(balance(), 0);
  expectBooksBalance();
}

TEST_P(RefundTest, WebhookForOurOwnRefundDoesNotSubtractTwice) {
  std::string pay = topUp(3000);
  ASSERT_TRUE(service_->refundPayment(op_, pay, 1000, "asked").ok());
  EXPECT_EQ(balance(), 2000);
  auto refunded = [&](const std::string& id, int64_t amount) {
    Json ev = {
        {"id", id},
        {"type", "charge.refunded"},
        {"data",
         {{"object",
           {{"id", "ch_1"}, {"payment_intent", "pi_" + pay}, {"amount_refunded", amount}}}}}};
    auto w = webhook(ev);
    EXPECT_TRUE(w.ok()) << w.error().message;
  };
  refunded("evt_r1", 1000);  // ours
  EXPECT_EQ(balance(), 2000);
  refunded("evt_r2", 1500);  // 500 more refunded in Stripe's dashboard
  EXPECT_EQ(balance(), 1500);
  refunded("evt_r3", 1500);  // the same state again
  EXPECT_EQ(balance(), 1500);
  EXPECT_EQ(count("SELECT COUNT(*) FROM refunds WHERE source = 'provider' AND amount = 500"), 1);
  expectBooksBalance();
}

TEST_P(RefundTest, UnusedCreditGoesBackToTheNewestCardsButCreditsStay) {
  std::string first = topUp(1000);
  clock_.advanceSeconds(60);
  std::string second = topUp(2000);
  // A downgrade credit (not from a card) and some spending.
  NewTransaction credit{"credit", "USD", "ws_1", std::nullopt, "downgrade credit", {}, {}};
  credit.legs.push_back({platformAccountId("revenue", "USD"), Side::kDebit, 700});
  credit.legs.push_back({walletAccountId("ws_1", "USD"), Side::kCredit, 700});
  ASSERT_TRUE(Ledger(*ctx_).post(credit).ok());
  ASSERT_TRUE(Ledger(*ctx_).charge("ws_1", "USD", 1200, "spent").ok());
  EXPECT_EQ(balance(), 2500);  // 3000 by card + 700 credit - 1200 spent
  auto too_much = service_->refundWalletCredit(owner_, "ws_1", 1801);
  ASSERT_FALSE(too_much.ok());
  EXPECT_EQ(too_much.error().code, ErrorCode::kConflict);
  EXPECT_NE(too_much.error().message.find("700 usd came from credits"), std::string::npos)
      << too_much.error().message;
  auto r = service_->refundWalletCredit(owner_, "ws_1", 1800);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)["refunded"]["amount"], 1800);
  ASSERT_EQ((*r)["refunds"].size(), 1u);
  EXPECT_EQ((*r)["refunds"][0]["payment_id"], second);
  EXPECT_EQ((*r)["not_refundable"]["amount"]["amount"], 700);
  EXPECT_EQ(balance(), 700);
  // A new top-up is refundable again; the credit still is not.
  clock_.advanceSeconds(60);
  std::string third = topUp(1000);
  auto again = service_->refundWalletCredit(owner_, "ws_1", std::nullopt);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ((*again)["refunded"]["amount"], 1000);
  ASSERT_EQ((*again)["refunds"].size(), 1u);
  EXPECT_EQ((*again)["refunds"][0]["payment_id"], third);
  auto nothing = service_->refundWalletCredit(owner_, "ws_1", std::nullopt);
  ASSERT_FALSE(nothing.ok());
  EXPECT_NE(nothing.error().message.find("nothing to refund"), std::string::npos);
  EXPECT_EQ(balance(), 700);
  (void)first;
  expectBooksBalance();
}

TEST_P(RefundTest, AWalletRefundSpansPaymentsNewestFirst) {
  std::string first = topUp(1000);
  clock_.advanceSeconds(60);
  std::string second = topUp(2000);
  ASSERT_TRUE(Ledger(*ctx_).charge("ws_1", "USD", 500, "spent").ok());
  auto r = service_->refundWalletCredit(owner_, "ws_1", std::nullopt);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)["refunded"]["amount"], 2500);
  ASSERT_EQ((*r)["refunds"].size(), 2u);
  EXPECT_EQ((*r)["refunds"][0]["payment_id"], second);
  EXPECT_EQ((*r)["refunds"][0]["amount"]["amount"], 2000);
  EXPECT_EQ((*r)["refunds"][1]["payment_id"], first);
  EXPECT_EQ((*r)["refunds"][1]["amount"]["amount"], 500);
  EXPECT_EQ(balance(), 0);
  expectBooksBalance();
}

TEST_P(RefundTest, CreditsWithoutCardPaymentsAreNotPaidOut) {
  NewTransaction credit{"credit", "USD", "ws_1", std::nullopt, "downgrade credit", {}, {}};
  credit.legs.push_back({platformAccountId("revenue", "USD"), Side::kDebit, 900});
  credit.legs.push_back({walletAccountId("ws_1", "USD"), Side::kCredit, 900});
  Ledger ledger(*ctx_);
  auto st = db_->run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY(ledger.ensureWorkspaceAccounts(tx, "ws_1", "USD"));
    MJ_TRY(ledger.post(tx, credit));
    return {};
  });
  ASSERT_TRUE(st.ok()) << st.error().message;
  auto r = service_->refundWalletCredit(owner_, "ws_1", std::nullopt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_NE(r.error().message.find("900 usd came from credits"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(balance(), 900);
}

TEST_P(RefundTest, ThreeDSecureWithStripeConfirmsByRetrievingTheIntent) {
  auto r = service_->topUp(owner_, "ws_1", 1000, "pm_3ds");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(r->body["status"], "requires_action");
  auto c = service_->confirmTopUp(owner_, "ws_1", r->body["id"].get<std::string>());
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ((*c)["status"], "succeeded");
  EXPECT_EQ(balance(), 1000);
}

// charge.refund.updated: a refund that fails at Stripe after it was accepted puts the money
// back into the wallet and the payment's refundable amount back, once.
Json refundEvent(const std::string& id, const std::string& type, const Json& refund) {
  return {{"id", id}, {"type", type}, {"data", {{"object", refund}}}};
}

TEST_P(RefundTest, ARefundThatFailsLaterAtStripeGoesBackToTheWalletOnce) {
  std::string pay = topUp(3000);
  auto r = service_->refundPayment(op_, pay, 3000, "asked");
  ASSERT_TRUE(r.ok()) << r.error().message;
  std::string rfd = (*r)["id"].get<std::string>();
  EXPECT_EQ(balance(), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM payments WHERE status = 'refunded'"), 1);
  Json refund = {{"id", "re_" + rfd},
                 {"object", "refund"},
                 {"amount", 3000},
                 {"payment_intent", "pi_" + pay},
                 {"status", "failed"},
                 {"failure_reason", "expired_or_canceled_card"},
                 {"metadata", {{"mailjuke_refund", rfd}, {"mailjuke_payment", pay}}}};
  auto w = webhook(refundEvent("evt_f1", "charge.refund.updated", refund));
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_EQ((*w)["applied"], true);
  EXPECT_EQ(balance(), 3000);
  EXPECT_EQ(count("SELECT COUNT(*) FROM refunds WHERE status = 'failed' AND failure_code = "
                  "'expired_or_canceled_card'"),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM payments WHERE status = 'succeeded'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_events WHERE action = 'payment.refund_failed'"), 1);
  // The same event again, and the same status in another event (refund.updated): nothing more.
  auto again = webhook(refundEvent("evt_f1", "charge.refund.updated", refund));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)["duplicate"], true);
  auto other = webhook(refundEvent("evt_f2", "refund.updated", refund));
  ASSERT_TRUE(other.ok()) << other.error().message;
  EXPECT_EQ((*other)["applied"], false);
  EXPECT_EQ(balance(), 3000);
  EXPECT_EQ(count("SELECT COUNT(*) FROM ledger_transactions WHERE kind = 'reversal'"), 1);
  // The payment can be refunded again in full.
  auto retry = service_->refundPayment(op_, pay, std::nullopt, "asked again");
  ASSERT_TRUE(retry.ok()) << retry.error().message;
  EXPECT_EQ((*retry)["amount"]["amount"], 3000);
  EXPECT_EQ(balance(), 0);
  expectBooksBalance();
}

TEST_P(RefundTest, SucceededOrPendingRefundUpdatesChangeNothing) {
  std::string pay = topUp(2000);
  auto r = service_->refundPayment(op_, pay, 500, "asked");
  ASSERT_TRUE(r.ok()) << r.error().message;
  std::string rfd = (*r)["id"].get<std::string>();
  for (const char* status : {"pending", "succeeded"}) {
    auto w = webhook(refundEvent(std::string("evt_") + status, "charge.refund.updated",
                                 {{"id", "re_" + rfd},
                                  {"status", status},
                                  {"amount", 500},
                                  {"metadata", {{"mailjuke_refund", rfd}}}}));
    ASSERT_TRUE(w.ok()) << w.error().message;
    EXPECT_EQ((*w)["applied"], false);
  }
  EXPECT_EQ(balance(), 1500);
  // Found by Stripe's refund id alone (no metadata), canceled.
  auto w = webhook(refundEvent("evt_c", "refund.updated",
                               {{"id", "re_" + rfd}, {"status", "canceled"}, {"amount", 500}}));
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_EQ((*w)["applied"], true);
  EXPECT_EQ(balance(), 2000);
  EXPECT_EQ(count("SELECT COUNT(*) FROM refunds WHERE failure_code = 'refund_canceled'"), 1);
  expectBooksBalance();
}

TEST_P(RefundTest, ADashboardRefundThatFailsIsAppliedBack) {
  std::string pay = topUp(2000);
  Json charge = {
      {"id", "evt_d1"},
      {"type", "charge.refunded"},
      {"data",
       {{"object", {{"id", "ch_1"}, {"payment_intent", "pi_" + pay}, {"amount_refunded", 700}}}}}};
  ASSERT_TRUE(webhook(charge).ok());
  EXPECT_EQ(balance(), 1300);
  auto w = webhook(refundEvent(
      "evt_d2", "charge.refund.updated",
      {{"id", "re_dash"}, {"status", "failed"}, {"amount", 700}, {"payment_intent", "pi_" + pay}}));
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_EQ((*w)["applied"], true);
  EXPECT_EQ(balance(), 2000);
  // A refund of a payment that is not ours is acknowledged and ignored.
  auto foreign = webhook(refundEvent(
      "evt_d3", "charge.refund.updated",
      {{"id", "re_x"}, {"status", "failed"}, {"amount", 700}, {"payment_intent", "pi_other"}}));
  ASSERT_TRUE(foreign.ok());
  EXPECT_EQ((*foreign)["applied"], false);
  expectBooksBalance();
}

TEST_P(RefundTest, AFailureWebhookBeforeOurAnswerIsNotOverwritten) {
  // Stripe answers the refund "pending"; its failure arrives before that answer is recorded.
  std::string pay = topUp(1000);
  pending_refunds_ = true;
  on_refund_ = [this, pay](const std::string& rfd) {
    auto w = webhook(refundEvent("evt_early", "refund.failed",
                                 {{"id", "re_" + rfd},
                                  {"status", "failed"},
                                  {"amount", 400},
                                  {"metadata", {{"mailjuke_refund", rfd}}}}));
    EXPECT_TRUE(w.ok()) << w.error().message;
  };
  auto r = service_->refundPayment(op_, pay, 400, "asked");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)["status"], "failed");
  EXPECT_EQ(balance(), 1000);
  expectBooksBalance();
}

// A PaymentIntent still `processing` at Stripe is shown as processing (nothing to confirm) and
// settled by the webhook: succeeded credits the wallet once, payment_failed marks it failed.
TEST_P(RefundTest, ProcessingPaymentsAreShownAsSuchAndSettledByTheWebhook) {
  auto listed = [&](const std::string& pay) {
    auto page = service_->payments(std::string("ws_1"), std::nullopt, 50);
    EXPECT_TRUE(page.ok());
    Json items = page->raw_data ? Json::parse(*page->raw_data) : page->data;
    for (const auto& j : items)
      if (j["id"] == pay) return j["status"].get<std::string>();
    return std::string("missing");
  };
  auto r = service_->topUp(owner_, "ws_1", 1500, "pm_processing");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(r->body["status"], "processing");
  EXPECT_TRUE(r->body["next_action"].is_null());
  std::string pay = r->body["id"].get<std::string>();
  EXPECT_EQ(listed(pay), "processing");
  EXPECT_EQ(balance(), 0);
  auto event = [&](const std::string& id, const std::string& type, const std::string& p) {
    auto w = webhook({{"id", id},
                      {"type", type},
                      {"created", clock_.nowSeconds()},
                      {"data", {{"object", {{"id", "pi_" + p}, {"status", "x"}}}}}});
    EXPECT_TRUE(w.ok()) << w.error().message;
  };
  event("evt_p1", "payment_intent.processing", pay);  // the same state again
  EXPECT_EQ(listed(pay), "processing");
  event("evt_p2", "payment_intent.succeeded", pay);
  EXPECT_EQ(listed(pay), "succeeded");
  EXPECT_EQ(balance(), 1500);
  event("evt_p3", "payment_intent.succeeded", pay);
  EXPECT_EQ(balance(), 1500);

  auto second = service_->topUp(owner_, "ws_1", 700, "pm_processing");
  ASSERT_TRUE(second.ok()) << second.error().message;
  std::string other = second->body["id"].get<std::string>();
  event("evt_p4", "payment_intent.payment_failed", other);
  EXPECT_EQ(listed(other), "failed");
  EXPECT_EQ(balance(), 1500);
  // A 3-D Secure payment still offers the confirm step.
  auto threeds = service_->topUp(owner_, "ws_1", 600, "pm_3ds");
  ASSERT_TRUE(threeds.ok());
  EXPECT_EQ(threeds->body["status"], "requires_action");
  EXPECT_FALSE(threeds->body["next_action"].is_null());
  expectBooksBalance();
}

// card_country_mismatch with Stripe: the pm_… payment method is retrieved before the charge and
// its card.country compared with the billing country; a failed lookup does not stop the charge.
TEST_P(RefundTest, StripeCardCountryFeedsTheMismatchRuleAndALookupFailureDoesNotBlock) {
  auto d = service_->setBillingDetails(owner_, "ws_1", {"Acme Inc", "1 Main St", "US", "", ""});
  ASSERT_TRUE(d.ok()) << d.error().message;
  auto same = service_->topUp(owner_, "ws_1", 1000, "pm_us");
  ASSERT_TRUE(same.ok()) << same.error().message;
  EXPECT_EQ(same->status, 201);
  auto other = service_->topUp(owner_, "ws_1", 1000, "pm_de");
  ASSERT_TRUE(other.ok()) << other.error().message;
  EXPECT_EQ(other->status, 202);
  EXPECT_EQ(other->body["status"], "held");
  EXPECT_EQ(other->body["fraud_review"]["rules"], Json::array({"card_country_mismatch"}));
  int before = calls_;
  auto down = service_->topUp(owner_, "ws_1", 1000, "pm_lookupdown");
  ASSERT_TRUE(down.ok()) << down.error().message;
  EXPECT_EQ(down->status, 201);
  EXPECT_EQ(calls_ - before, 2);  // one lookup (not retried), one charge
  EXPECT_EQ(methods_, (std::vector<std::string>{"pm_us", "pm_de", "pm_lookupdown"}));
  EXPECT_EQ(balance(), 2000);
}

INSTANTIATE_TEST_SUITE_P(Engines, RefundTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace mailjuke::core::billing
