// Consent (policy §4, §7; Art. 7): append-only events (notice version, choice, method, UTC time,
// truncated IP, user agent); the current state of a purpose is its newest event. Withdrawing is
// the same one call as giving.
#pragma once

#include <string>
#include <vector>

#include "base/json.h"
#include "core/context.h"

namespace mailjuke::core::privacy {

// Purposes a person can consent to; every one is optional and unticked by default.
const std::vector<std::string>& consentPurposes();

struct ConsentEvent {
  std::string user_id;
  std::string purpose;
  bool granted = false;
  std::string notice_version;
  std::string method;  // signup, settings, api, policy_banner
  std::string ip;      // stored truncated
  std::string user_agent;
};

Status recordConsent(store::Tx& tx, const ConsentEvent& e, int64_t now);
// {purpose: {granted, notice_version, updated_at}} for every purpose (false when never given).
Result<Json> consentState(store::Tx& tx, const std::string& user_id);
// `Sec-GPC: 1` (Global Privacy Control) counts as an opt-out: analytics and marketing_email
// consents currently given and not in `explicit_choices` are withdrawn (method "gpc").
// Returns the purposes withdrawn.
Result<std::vector<std::string>> honourGpc(store::Tx& tx, const ConsentEvent& who,
                                           const Json& explicit_choices, int64_t now);
// Every event, oldest first.
Result<Json> consentHistory(store::Tx& tx, const std::string& user_id);

}  // namespace mailjuke::core::privacy
