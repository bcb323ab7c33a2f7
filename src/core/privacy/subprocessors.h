// The subprocessor registry (policy §6, §8): vendor, purpose, data categories, location and
// transfer safeguard; operators manage it, everyone can read it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "core/context.h"

namespace mailjuke::core::privacy {

struct SubprocessorInput {
  std::optional<std::string> vendor, purpose, location, safeguard;
  std::optional<std::vector<std::string>> data_categories;  // inventory category names
};

Result<Json> listSubprocessors(store::Tx& tx);
Result<Json> createSubprocessor(CoreContext& ctx, const SubprocessorInput& in);
Result<Json> updateSubprocessor(CoreContext& ctx, const std::string& id,
                                const SubprocessorInput& in);
Status deleteSubprocessor(CoreContext& ctx, const std::string& id);

}  // namespace mailjuke::core::privacy
