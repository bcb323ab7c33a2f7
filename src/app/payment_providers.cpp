#include "app/payment_providers.h"

#include "core/billing/stripe_client.h"
#include "net/https_client.h"

namespace mailjuke::app {

std::unique_ptr<core::billing::PaymentProvider> makePaymentProvider(const Config& config) {
  namespace bl = core::billing;
  const auto& b = config.billing;
  if (b.provider != "stripe") return bl::makeSandboxProvider();
  bl::StripeConfig sc;
  sc.api_base = b.stripe_api_base;
  sc.secret_key = b.stripe_secret_key;
  std::string ca = b.stripe_ca_file;
  auto timeout = std::chrono::milliseconds(b.stripe_timeout_ms);
  auto transport = [ca, timeout](const bl::StripeHttpRequest& r) -> Result<bl::StripeHttpResponse> {
    net::HttpsRequest req;
    req.method = r.method;
    req.url = r.url;
    req.headers = r.headers;
    req.body = r.body;
    req.ca_file = ca;
    req.timeout = timeout;
    MJ_TRY_ASSIGN(auto res, net::httpsRequest(req));
    return bl::StripeHttpResponse{res.status, std::move(res.body)};
  };
  return bl::makeStripeProvider(std::move(sc), std::move(transport));
}

}  // namespace mailjuke::app
