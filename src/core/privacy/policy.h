// Privacy policy versions (policy §12): operators publish Markdown with an effective date; the
// public page shows the current version with its date and the history. A material change
// e-mails every active user and shows a banner until they acknowledge it.
#pragma once

#include <optional>
#include <string>

#include "base/json.h"
#include "core/context.h"

namespace mailjuke::core::privacy {

extern const char* const kSeedPolicyVersion;
extern const char* const kSeedPolicyEffective;
extern const char* const kSeedPolicyText;

// Inserts the first version when there is none: the text of `policy_file`, or the embedded seed.
Status seedPolicy(CoreContext& ctx, const std::string& policy_file);

// The version in effect now (newest effective_at <= now), with "history" of all versions.
Result<Json> currentPolicy(store::Tx& tx, int64_t now);
Result<Json> policyVersion(store::Tx& tx, const std::string& version);
Result<std::optional<std::string>> currentPolicyVersion(store::Tx& tx, int64_t now);

struct PolicyInput {
  std::string version;
  std::string text;
  int64_t effective_at = 0;
  bool material = false;
};
// Publishes a version; a material change enqueues an e-mail to every active user.
Result<Json> publishPolicy(CoreContext& ctx, const PolicyInput& in, const std::string& operator_id);

}  // namespace mailjuke::core::privacy
