// Fuzzes how answers from Stripe's API are read (core/billing/stripe_client.h): the first byte
// picks the HTTP status, the rest is the body; the PaymentIntent and SetupIntent mappings and the
// whole provider (with a transport answering the input: charges, refunds, customers, saved
// cards) must never crash, whatever Stripe or a proxy sends.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/billing/stripe_client.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mailjuke::core::billing;
  if (size == 0) return 0;
  static const int kStatuses[] = {200, 201, 400, 401, 402, 403, 404, 409, 429, 500, 503, 302};
  int status = kStatuses[data[0] % (sizeof(kStatuses) / sizeof(kStatuses[0]))];
  std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  StripeAnswer a = classifyStripeAnswer(status, body);
  (void)intentOutcome(a.object);
  StripeConfig c;
  c.secret_key = "sk_fuzz";
  c.max_attempts = 1;
  c.retry_delay_ms = 0;
  auto provider =
      makeStripeProvider(c, [&](const StripeHttpRequest&) -> mailjuke::Result<StripeHttpResponse> {
        return StripeHttpResponse{status, body};
      });
  (void)provider->charge({"ws", "pm", 100, "usd", "d", "pay_1"});
  (void)provider->confirm("pi_1");
  (void)provider->refund({"pay_1", "pi_1", 100, "usd", "", "rfd_1"});
  (void)provider->createCustomer({"ws", "name", "a@example.com", "mj-customer-ws"});
  (void)provider->saveCard({"cus_1", "pm_1", "seti_key"});
  (void)provider->confirmSavedCard("seti_1");
  return 0;
}
