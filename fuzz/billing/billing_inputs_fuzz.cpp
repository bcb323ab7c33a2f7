// Fuzzes the configuration plan parser ([billing] plans) and the VAT ID checks.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/billing/plans.h"
#include "core/billing/vat.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mailjuke::core::billing;
  std::string in(reinterpret_cast<const char*>(data), size);
  (void)parsePlan(in);
  (void)looksLikeEuVatId(in);
  (void)reverseCharge("DE", in.substr(0, 2), in);
  return 0;
}
