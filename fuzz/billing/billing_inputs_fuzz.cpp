// Fuzzes the configuration plan parser ([billing] plans), the VAT ID checks, and the fraud
// rules' e-mail-domain and card-token parsing.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/billing/fraud.h"
#include "core/billing/plans.h"
#include "core/billing/vat.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mailjuke::core::billing;
  std::string in(reinterpret_cast<const char*>(data), size);
  (void)parsePlan(in);
  (void)looksLikeEuVatId(in);
  (void)reverseCharge("DE", in.substr(0, 2), in);
  (void)isDisposableEmailDomain(in);
  (void)cardCountry(in);
  return 0;
}
