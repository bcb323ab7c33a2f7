#include "core/billing/stripe_client.h"

#include <gtest/gtest.h>

#include <deque>

namespace mailjuke::core::billing {
namespace {

// A scripted Stripe: answers in order, records every request.
struct FakeStripe {
  std::deque<Result<StripeHttpResponse>> answers;
  std::vector<StripeHttpRequest> seen;
  StripeTransport transport() {
    return [this](const StripeHttpRequest& r) -> Result<StripeHttpResponse> {
      seen.push_back(r);
      if (answers.empty()) return Error::make(ErrorCode::kUnavailable, "no answer scripted");
      auto a = answers.front();
      answers.pop_front();
      return a;
    };
  }
  std::unique_ptr<PaymentProvider> provider() {
    StripeConfig c;
    c.api_base = "https://stripe.test/";
    c.secret_key = "sk_test_123";
    c.retry_delay_ms = 1;
    return makeStripeProvider(c, transport());
  }
};

std::string header(const StripeHttpRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

ChargeRequest chargeReq() {
  return {"ws_1", "pm_card_visa", 1500, "USD", "MailJuke top_up", "pay_1"};
}

TEST(StripeProvider, ChargeCreatesAConfirmedPaymentIntent) {
  FakeStripe s;
  s.answers.push_back(
      StripeHttpResponse{200, R"({"id":"pi_1","object":"payment_intent","status":"succeeded"})"});
  auto out = s.provider()->charge(chargeReq());
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->status, "succeeded");
  EXPECT_EQ(out->provider_ref, "pi_1");
  ASSERT_EQ(s.seen.size(), 1u);
  const auto& r = s.seen[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://stripe.test/v1/payment_intents");
  EXPECT_EQ(header(r, "Authorization"), "Bearer sk_test_123");
  EXPECT_EQ(header(r, "Idempotency-Key"), "pay_1");
  EXPECT_EQ(header(r, "Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(r.body,
            "amount=1500&currency=usd&payment_method=pm_card_visa&payment_method_types%5B%5D=card&"
            "confirm=true&description=MailJuke%20top_up&metadata%5Bmailjuke_payment%5D=pay_1&"
            "metadata%5Bworkspace%5D=ws_1");
}

TEST(StripeProvider, MapsRequiresActionProcessingAndDeclines) {
  FakeStripe s;
  s.answers.push_back(StripeHttpResponse{200, R"({"id":"pi_2","status":"requires_action"})"});
  s.answers.push_back(StripeHttpResponse{200, R"({"id":"pi_3","status":"processing"})"});
  s.answers.push_back(StripeHttpResponse{
      402,
      R"({"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds",
             "message":"Your card has insufficient funds.","payment_intent":{"id":"pi_4","status":"requires_payment_method"}}})"});
  s.answers.push_back(StripeHttpResponse{
      400,
      R"({"error":{"type":"invalid_request_error","code":"resource_missing","param":"payment_method"}})"});
  auto p = s.provider();
  EXPECT_EQ(p->charge(chargeReq())->status, "requires_action");
  EXPECT_EQ(p->charge(chargeReq())->status, "processing");
  auto declined = p->charge(chargeReq());
  ASSERT_TRUE(declined.ok());
  EXPECT_EQ(declined->status, "declined");
  EXPECT_EQ(declined->failure_code, "insufficient_funds");
  EXPECT_EQ(declined->provider_ref, "pi_4");
  auto rejected = p->charge(chargeReq());
  ASSERT_TRUE(rejected.ok());
  EXPECT_EQ(rejected->status, "declined");
  EXPECT_EQ(rejected->failure_code, "resource_missing");
  EXPECT_EQ(s.seen.size(), 4u);  // none of these is retried
}

TEST(StripeProvider, RetriesServerErrorsAndTimeoutsWithTheSameKey) {
  FakeStripe s;
  s.answers.push_back(StripeHttpResponse{500, R"({"error":{"type":"api_error"}})"});
  s.answers.push_back(Error::make(ErrorCode::kUnavailable, "timed out"));
  s.answers.push_back(StripeHttpResponse{200, R"({"id":"pi_5","status":"succeeded"})"});
  auto out = s.provider()->charge(chargeReq());
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->status, "succeeded");
  ASSERT_EQ(s.seen.size(), 3u);
  for (const auto& r : s.seen) {
    EXPECT_EQ(header(r, "Idempotency-Key"), "pay_1");
    EXPECT_EQ(r.body, s.seen[0].body);
  }
}

TEST(StripeProvider, GivesUpWithUnavailableAfterTheAttempts) {
  FakeStripe s;
  for (int i = 0; i < 3; ++i) s.answers.push_back(StripeHttpResponse{503, "<html>"});
  s.answers.push_back(StripeHttpResponse{200, R"({"id":"pi_6","status":"succeeded"})"});
  auto out = s.provider()->charge(chargeReq());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(out.error().message.find("nothing was credited"), std::string::npos);
  EXPECT_EQ(s.seen.size(), 3u);
}

TEST(StripeProvider, ABadKeyIsNotRetried) {
  FakeStripe s;
  s.answers.push_back(StripeHttpResponse{401, R"({"error":{"type":"invalid_request_error"}})"});
  auto out = s.provider()->charge(chargeReq());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(out.error().message.find("stripe_secret_key"), std::string::npos);
  EXPECT_EQ(s.seen.size(), 1u);
}

TEST(StripeProvider, ConfirmRetrievesTheIntent) {
  FakeStripe s;
  s.answers.push_back(StripeHttpResponse{200, R"({"id":"pi_7","status":"succeeded"})"});
  s.answers.push_back(StripeHttpResponse{200, R"({"id":"pi_8","status":"requires_payment_method",
             "last_payment_error":{"code":"payment_intent_authentication_failure"}})"});
  auto p = s.provider();
  EXPECT_EQ(p->confirm("pi_7")->status, "succeeded");
  EXPECT_EQ(s.seen[0].method, "GET");
  EXPECT_EQ(s.seen[0].url, "https://stripe.test/v1/payment_intents/pi_7");
  auto failed = p->confirm("pi_8");
  EXPECT_EQ(failed->status, "declined");
  EXPECT_EQ(failed->failure_code, "payment_intent_authentication_failure");
  EXPECT_FALSE(p->confirm("pi_9/../x").ok());
}

TEST(StripeProvider, RefundsThroughTheRefundsApi) {
  FakeStripe s;
  s.answers.push_back(StripeHttpResponse{200, R"({"id":"re_1","status":"succeeded"})"});
  s.answers.push_back(StripeHttpResponse{200, R"({"id":"re_2","status":"pending"})"});
  s.answers.push_back(StripeHttpResponse{
      400, R"({"error":{"type":"invalid_request_error","code":"charge_already_refunded"}})"});
  auto p = s.provider();
  auto ok = p->refund({"pay_1", "pi_1", 300, "USD", "duplicate", "rfd_1"});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, "succeeded");
  EXPECT_EQ(ok->provider_ref, "re_1");
  EXPECT_EQ(s.seen[0].url, "https://stripe.test/v1/refunds");
  EXPECT_EQ(header(s.seen[0], "Idempotency-Key"), "rfd_1");
  EXPECT_EQ(s.seen[0].body,
            "payment_intent=pi_1&amount=300&reason=requested_by_customer&"
            "metadata%5Bmailjuke_refund%5D=rfd_1&metadata%5Bmailjuke_payment%5D=pay_1");
  EXPECT_EQ(p->refund({"pay_1", "pi_1", 300, "USD", "", "rfd_2"})->status, "pending");
  auto refused = p->refund({"pay_1", "pi_1", 300, "USD", "", "rfd_3"});
  EXPECT_EQ(refused->status, "failed");
  EXPECT_EQ(refused->failure_code, "charge_already_refunded");
}

TEST(StripeProvider, WithoutASecretKeyNothingIsSent) {
  StripeConfig c;
  int calls = 0;
  auto p = makeStripeProvider(c, [&](const StripeHttpRequest&) -> Result<StripeHttpResponse> {
    ++calls;
    return StripeHttpResponse{200, "{}"};
  });
  EXPECT_EQ(p->charge(chargeReq()).error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(calls, 0);
}

TEST(StripeAnswer, ClassifiesOddBodies) {
  EXPECT_EQ(classifyStripeAnswer(200, "not json").kind, StripeAnswer::Kind::kRetry);
  EXPECT_EQ(classifyStripeAnswer(200, "[]").kind, StripeAnswer::Kind::kRetry);
  EXPECT_EQ(classifyStripeAnswer(429, "").kind, StripeAnswer::Kind::kRetry);
  EXPECT_EQ(classifyStripeAnswer(409, "{}").kind, StripeAnswer::Kind::kRetry);
  EXPECT_EQ(classifyStripeAnswer(402, "").kind, StripeAnswer::Kind::kCardError);
  EXPECT_EQ(classifyStripeAnswer(404, R"({"error":5})").code, "invalid_request");
  EXPECT_EQ(intentOutcome(Json(3)).status, "declined");
  EXPECT_EQ(intentOutcome(Json::parse(R"({"id":"pi","status":"canceled"})")).failure_code,
            "canceled");
  // A PaymentIntent that saved its card (confirmed after 3-D Secure, or a webhook) names it.
  auto saved = intentOutcome(Json::parse(
      R"({"id":"pi","status":"succeeded","setup_future_usage":"off_session","payment_method":{"id":"pm_9"}})"));
  EXPECT_EQ(saved.saved_payment_method, "pm_9");
  EXPECT_EQ(
      intentOutcome(Json::parse(R"({"id":"pi","status":"succeeded","payment_method":"pm_9"})"))
          .saved_payment_method,
      "");
}

}  // namespace
}  // namespace mailjuke::core::billing

namespace mailjuke::core::billing {
namespace {

TEST(StripeSavedCards, OffSessionChargeNamesTheCustomer) {
  FakeStripe s;
  s.answers.push_back(StripeHttpResponse{200, R"({"id":"pi_1","status":"succeeded"})"});
  ChargeRequest r{"ws_1", "pm_saved", 3900, "USD", "MailJuke invoice", "pay_9"};
  r.customer = "cus_1";
  r.off_session = true;
  r.save_for_future = true;  // ignored off-session: the card is saved already
  auto out = s.provider()->charge(r);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->status, "succeeded");
  ASSERT_EQ(s.seen.size(), 1u);
  EXPECT_EQ(s.seen[0].body,
            "amount=3900&currency=usd&payment_method=pm_saved&payment_method_types%5B%5D=card&"
            "confirm=true&customer=cus_1&off_session=true&description=MailJuke%20invoice&"
            "metadata%5Bmailjuke_payment%5D=pay_9&metadata%5Bworkspace%5D=ws_1");
}

TEST(StripeSavedCards, OnSessionChargeSavesTheCardForLater) {
  FakeStripe s;
  s.answers.push_back(StripeHttpResponse{
      200, R"({"id":"pi_2","status":"succeeded","payment_method":"pm_card_visa"})"});
  ChargeRequest r{"ws_1", "pm_card_visa", 3900, "USD", "MailJuke invoice", "pay_8"};
  r.customer = "cus_1";
  r.save_for_future = true;
  auto out = s.provider()->charge(r);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->saved_payment_method, "pm_card_visa");
  EXPECT_NE(s.seen[0].body.find("&customer=cus_1&setup_future_usage=off_session&"),
            std::string::npos)
      << s.seen[0].body;
  EXPECT_EQ(s.seen[0].body.find("off_session=true"), std::string::npos);
}

TEST(StripeSavedCards, AuthenticationRequiredOffSessionIsADecline) {
  FakeStripe s;
  s.answers.push_back(StripeHttpResponse{402, R"({"error":{"type":"card_error",
      "code":"authentication_required","decline_code":"authentication_required",
      "payment_intent":{"id":"pi_3","status":"requires_payment_method"}}})"});
  ChargeRequest r{"ws_1", "pm_saved", 3900, "USD", "MailJuke invoice", "pay_7"};
  r.customer = "cus_1";
  r.off_session = true;
  auto out = s.provider()->charge(r);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->status, "declined");
  EXPECT_EQ(out->failure_code, "authentication_required");
  EXPECT_EQ(out->provider_ref, "pi_3");
}

TEST(StripeSavedCards, CustomerIsCreatedWithAKeyFromTheWorkspace) {
  FakeStripe s;
  s.answers.push_back(StripeHttpResponse{200, R"({"id":"cus_42","object":"customer"})"});
  auto out =
      s.provider()->createCustomer({"ws_1", "Acme & Co", "bill@acme.test", "mj-customer-ws_1"});
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(*out, "cus_42");
  const auto& r = s.seen[0];
  EXPECT_EQ(r.url, "https://stripe.test/v1/customers");
  EXPECT_EQ(header(r, "Idempotency-Key"), "mj-customer-ws_1");
  EXPECT_EQ(r.body, "name=Acme%20%26%20Co&email=bill%40acme.test&metadata%5Bworkspace_id%5D=ws_1");
  // Not a customer in the answer: an error, never an empty id.
  FakeStripe t;
  t.answers.push_back(StripeHttpResponse{200, R"({"id":"x"})"});
  EXPECT_FALSE(t.provider()->createCustomer({"ws_1", "", "", "k"}).ok());
}

TEST(StripeSavedCards, SetupIntentSavesAndReportsTheCard) {
  FakeStripe s;
  s.answers.push_back(StripeHttpResponse{200, R"({"id":"seti_1","status":"succeeded",
      "payment_method":{"id":"pm_card_visa","card":{"brand":"visa","last4":"4242","country":"de"}}})"});
  auto out = s.provider()->saveCard({"cus_1", "pm_card_visa", "seti_key"});
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->status, "saved");
  EXPECT_EQ(out->payment_method, "pm_card_visa");
  EXPECT_EQ(out->brand, "visa");
  EXPECT_EQ(out->last4, "4242");
  EXPECT_EQ(out->country, "DE");
  const auto& r = s.seen[0];
  EXPECT_EQ(r.url, "https://stripe.test/v1/setup_intents");
  EXPECT_EQ(header(r, "Idempotency-Key"), "seti_key");
  EXPECT_EQ(r.body,
            "customer=cus_1&payment_method=pm_card_visa&payment_method_types%5B%5D=card&"
            "confirm=true&usage=off_session&expand%5B%5D=payment_method");
}

TEST(StripeSavedCards, SetupIntentNeedingActionThenConfirmedOrDeclined) {
  FakeStripe s;
  s.answers.push_back(StripeHttpResponse{
      200, R"({"id":"seti_2","status":"requires_action","payment_method":"pm_3ds"})"});
  s.answers.push_back(StripeHttpResponse{
      200, R"({"id":"seti_2","status":"succeeded","payment_method":{"id":"pm_3ds"}})"});
  s.answers.push_back(StripeHttpResponse{402, R"({"error":{"type":"card_error",
      "code":"card_declined","decline_code":"do_not_honor","setup_intent":{"id":"seti_3"}}})"});
  auto p = s.provider();
  auto out = p->saveCard({"cus_1", "pm_3ds", "k1"});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->status, "requires_action");
  EXPECT_EQ(out->provider_ref, "seti_2");
  auto confirmed = p->confirmSavedCard("seti_2");
  ASSERT_TRUE(confirmed.ok());
  EXPECT_EQ(confirmed->status, "saved");
  EXPECT_EQ(confirmed->payment_method, "pm_3ds");
  EXPECT_EQ(s.seen[1].method, "GET");
  EXPECT_EQ(s.seen[1].url,
            "https://stripe.test/v1/setup_intents/seti_2?expand%5B%5D=payment_method");
  auto declined = p->saveCard({"cus_1", "pm_bad", "k2"});
  ASSERT_TRUE(declined.ok());
  EXPECT_EQ(declined->status, "declined");
  EXPECT_EQ(declined->failure_code, "do_not_honor");
  EXPECT_FALSE(p->confirmSavedCard("seti_2/../x").ok());
}

}  // namespace
}  // namespace mailjuke::core::billing
