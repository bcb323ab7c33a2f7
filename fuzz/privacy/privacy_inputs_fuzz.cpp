// Fuzzes the privacy inputs that come from outside: breach register bodies (JSON), one-click
// unsubscribe tokens, no-login export tokens and analytics report dates.
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/json.h"
#include "core/privacy/analytics.h"
#include "core/privacy/anonymous_export.h"
#include "core/privacy/breaches.h"
#include "core/privacy/marketing.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mailjuke::core::privacy;
  std::string in(reinterpret_cast<const char*>(data), size);
  const std::string secret(32, 'k');
  mailjuke::Json body = mailjuke::Json::parse(in, nullptr, false);
  if (!body.is_discarded()) (void)validateBreachInput(body, 1764547200);
  auto user = unsubscribeTokenUser(secret, in);
  if (user && unsubscribeToken(secret, *user) != in) __builtin_trap();
  (void)(exportDownloadToken(secret, in) == in);
  (void)isAnalyticsDay(in);
  return 0;
}
