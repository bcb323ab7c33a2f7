// Billing options that are not in core::BillingSettings (yet): process-wide values set once by the
// application at start-up, before any request is served, and read-only afterwards.
//   trial_credit              minor units credited to every new workspace's wallet
//                             ([billing] trial_credit, default 0; the test harness sets it)
//   disposable_email_domains  extra domains for the disposable_email fraud rule, added to the
//                             list embedded in the binary ([billing] disposable_email_domains)
// Kept apart from core/context.h so that adding them did not rebuild the whole tree; they can move
// into BillingSettings in one later edit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mailjuke::core::billing {

struct BillingOptions {
  int64_t trial_credit = 0;
  std::vector<std::string> disposable_email_domains;
};

// The process-wide options. Writers: app start-up and tests (single-threaded at that point).
BillingOptions& billingOptions();

}  // namespace mailjuke::core::billing
