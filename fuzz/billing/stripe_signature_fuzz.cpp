// Fuzzes the Stripe-Signature header parser and verifier: the first line is the header, the
// rest the payload.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/billing/stripe_signature.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mailjuke::core::billing;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  std::string_view header = in.substr(0, nl);
  std::string_view payload = nl == std::string_view::npos ? "" : in.substr(nl + 1);
  (void)parseStripeSignature(header);
  (void)verifyStripeSignature(header, payload, "whsec_fuzz", 1764547200);
  return 0;
}
