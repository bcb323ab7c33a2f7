// The data processing agreement (Art. 28(3); policy §2): owners accept it per version as the
// workspace's controller; every acceptance is kept (dpa_acceptances), and the workspace shows
// whether the version in force ([privacy] dpa_version) has been accepted.
#pragma once

#include <string>

#include "base/json.h"
#include "core/context.h"

namespace mailjuke::core::privacy {

// {version, accepted_at, current_version, up_to_date, history: [{version, accepted_at,
// accepted_by}]} (history newest first).
Result<Json> dpaStatus(store::Tx& tx, const std::string& workspace_id,
                       const std::string& current_version);

}  // namespace mailjuke::core::privacy
