// The stripe payment provider: PaymentIntents and Refunds through Stripe's REST API
// (form-encoded requests, JSON answers, Bearer secret key, Idempotency-Key = our payment or
// refund id). The HTTPS transport is injected (the app passes net::httpsRequest, tests a fake),
// so core stays free of sockets and the mapping below is tested without a network.
//
//   charge : POST {api_base}/v1/payment_intents amount, currency, payment_method, confirm=true,
//            description, metadata[mailjuke_payment], metadata[workspace]
//            → succeeded | requires_action | processing | declined (402 card_error: Stripe's
//              decline_code, else its code)
//   confirm: GET  {api_base}/v1/payment_intents/{id} → the same mapping; requires_payment_method
//            after authentication means declined
//   refund : POST {api_base}/v1/refunds payment_intent, amount, metadata[mailjuke_refund]
//   customer: POST {api_base}/v1/customers name, email, metadata[workspace_id]
//            (Idempotency-Key mj-customer-{workspace})
//   saveCard: POST {api_base}/v1/setup_intents customer, payment_method, confirm=true,
//            usage=off_session → saved | requires_action (confirmSavedCard: GET the
//            SetupIntent again) | declined
//   charges name the customer; off-session ones add off_session=true, on-session ones that
//   save the card setup_future_usage=off_session.
//
// 5xx, 429, 409 (a concurrent request with the key) and transport failures (timeouts, refused
// connections, TLS errors) are retried with the same Idempotency-Key (Stripe then answers the
// first result instead of charging again); when the attempts are used up: kUnavailable (503)
// naming what happened. 401/403 (a bad secret key) is kUnavailable at once.
// Thread-safety: immutable after construction; the transport must be safe to call concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "core/billing/payment_provider.h"

namespace mailjuke::core::billing {

struct StripeConfig {
  std::string api_base = "https://api.stripe.com";  // [billing] stripe_api_base
  std::string secret_key;                           // [billing] stripe_secret_key (sk_…)
  int max_attempts = 3;                             // per call, same Idempotency-Key
  int64_t retry_delay_ms = 250;                     // doubled after each retry
};

struct StripeHttpRequest {
  std::string method;  // GET | POST
  std::string url;     // absolute https URL
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // application/x-www-form-urlencoded for POST
};

struct StripeHttpResponse {
  int status = 0;
  std::string body;
};

// Sends one request; kUnavailable for anything that is not an HTTP answer (connect, TLS,
// certificate, timeout).
using StripeTransport = std::function<Result<StripeHttpResponse>(const StripeHttpRequest&)>;

// application/x-www-form-urlencoded, in the given order.
std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields);

// What an answer from Stripe means (fuzzed: fuzz/fuzz_stripe_answer.cpp).
struct StripeAnswer {
  enum class Kind {
    kOk,         // 2xx with a JSON object
    kCardError,  // 402 (or a card_error): declined; code is decline_code or code
    kRejected,   // another 4xx: our request or the payment method is invalid; code = error.code
    kAuth,       // 401/403: the secret key is wrong or lacks permission
    kRetry,      // 409, 429, 5xx, or an unreadable body: try again with the same key
  } kind = Kind::kRetry;
  Json object;          // the resource (kOk) or error.payment_intent (kCardError), else null
  std::string code;     // error code
  std::string message;  // error message (for logs and our error text)
};
StripeAnswer classifyStripeAnswer(int http_status, std::string_view body);

// The form of POST /v1/payment_intents: customer when given; off_session=true (a charge
// nobody is present for), else setup_future_usage=off_session when the card is to be saved.
std::vector<std::pair<std::string, std::string>> chargeForm(const ChargeRequest& r);
// The form of POST /v1/setup_intents: customer, payment_method, confirm=true,
// usage=off_session, expand[]=payment_method (to learn brand, last4, country).
std::vector<std::pair<std::string, std::string>> setupForm(const SaveCardRequest& r);

// A PaymentIntent object → our outcome (succeeded, requires_action, processing, declined).
ChargeOutcome intentOutcome(const Json& intent);

std::unique_ptr<PaymentProvider> makeStripeProvider(StripeConfig config, StripeTransport transport);

}  // namespace mailjuke::core::billing
