#include "core/billing/stripe_signature.h"

#include <charconv>

#include "base/crypto.h"
#include "base/encoding.h"

namespace mailjuke::core::billing {

Result<StripeSignatureHeader> parseStripeSignature(std::string_view header) {
  if (header.size() > 8192) return Error::invalid("Stripe-Signature", "too long");
  StripeSignatureHeader h;
  size_t start = 0;
  while (start <= header.size()) {
    size_t comma = header.find(',', start);
    if (comma == std::string_view::npos) comma = header.size();
    std::string_view item = header.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    size_t eq = item.find('=');
    if (eq != std::string_view::npos) {
      std::string_view key = item.substr(0, eq), value = item.substr(eq + 1);
      if (key == "t") {
        int64_t t = 0;
        auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), t);
        if (ec != std::errc() || p != value.data() + value.size() || t < 0)
          return Error::invalid("Stripe-Signature", "t is not a Unix timestamp");
        h.timestamp = t;
      } else if (key == "v1" && value.size() == 64) {
        h.v1.push_back(toLowerAscii(value));
      }
    }
    start = comma + 1;
  }
  if (h.timestamp < 0) return Error::invalid("Stripe-Signature", "no timestamp (t=)");
  if (h.v1.empty()) return Error::invalid("Stripe-Signature", "no v1 signature");
  return h;
}

std::string stripeSignatureV1(std::string_view secret, int64_t timestamp,
                              std::string_view payload) {
  std::string signed_payload = std::to_string(timestamp) + ".";
  signed_payload.append(payload);
  return hexEncode(crypto::hmacSha256(secret, signed_payload));
}

Status verifyStripeSignature(std::string_view header, std::string_view payload,
                             std::string_view secret, int64_t now, int64_t tolerance) {
  auto parsed = parseStripeSignature(header);
  if (!parsed.ok())
    return Error::make(ErrorCode::kUnauthenticated,
                       "invalid Stripe-Signature: " + parsed.error().message);
  if (parsed->timestamp < now - tolerance || parsed->timestamp > now + tolerance)
    return Error::make(ErrorCode::kUnauthenticated,
                       "Stripe-Signature timestamp outside the tolerance");
  std::string expected = stripeSignatureV1(secret, parsed->timestamp, payload);
  bool match = false;
  for (const auto& v : parsed->v1) match |= crypto::constantTimeEqual(v, expected);
  if (!match) return Error::make(ErrorCode::kUnauthenticated, "no Stripe-Signature v1 matches");
  return {};
}

}  // namespace mailjuke::core::billing
