// What erasure needs to know about a column it clears: can it be NULL, and if not, what empty
// value it takes (its default, 0 for integers, '' for text). Read from the live schema.
#pragma once

#include <string>

#include "store/sql/database.h"

namespace mailjuke::core::privacy {

Result<store::Value> blankValue(store::Tx& tx, const std::string& table, const std::string& column);

}  // namespace mailjuke::core::privacy
