// Retention jobs (policy §8), one rule per inventory table with a time-bound retention: each
// rule names its table so a unit test can check every such table has one. Run from the
// housekeeping tick with the injected clock; tests move a ManualClock and run them.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "core/context.h"
#include "core/privacy/privacy_settings.h"

namespace mailjuke::core::privacy {

struct RetentionRule {
  std::string_view name;
  std::string_view table;
  std::string_view rule;  // as people read it
  // Returns how many rows it purged or changed.
  std::function<Result<int64_t>(store::Tx&, const CoreContext&, const PrivacySettings&,
                                int64_t now)>
      run;
};

const std::vector<RetentionRule>& retentionRules();

// Runs every rule (each in its own transaction); returns {rule name: rows}. The settings give
// the legal periods (PrivacyService::settings()).
Result<Json> runRetention(CoreContext& ctx, const PrivacySettings& settings);

}  // namespace mailjuke::core::privacy
