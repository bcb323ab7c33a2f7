#include "core/billing/billing_options.h"

namespace mailjuke::core::billing {

BillingOptions& billingOptions() {
  static BillingOptions options;
  return options;
}

}  // namespace mailjuke::core::billing
