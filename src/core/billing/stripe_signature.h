// Stripe webhook signatures (security-and-money.md "Stripe (inbound)"): the header
// `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]` signs "{t}.{raw body}" with HMAC-SHA256 keyed
// by the endpoint secret string as bytes. Accepted when any v1 matches (constant-time compare)
// and t is not older than the tolerance (300 s) nor more than the tolerance in the future.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace mailjuke::core::billing {

struct StripeSignatureHeader {
  int64_t timestamp = -1;
  std::vector<std::string> v1;  // lower-case hex digests
};

// Parses the header; unknown schemes (v0, …) are ignored. kInvalid when t or every v1 is missing.
Result<StripeSignatureHeader> parseStripeSignature(std::string_view header);

// The v1 value for a payload (hex), as Stripe computes it.
std::string stripeSignatureV1(std::string_view secret, int64_t timestamp, std::string_view payload);

// kUnauthenticated when no v1 matches or the timestamp is outside the tolerance.
Status verifyStripeSignature(std::string_view header, std::string_view payload,
                             std::string_view secret, int64_t now, int64_t tolerance = 300);

}  // namespace mailjuke::core::billing
