// Keyset pagination (API.md lists): ids are time-ordered, so "id > cursor ORDER BY id" pages
// through a list in creation order (or "id < cursor ORDER BY id DESC", newest first).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "base/json.h"
#include "core/context.h"

namespace mailjuke::core {

struct PageRequest {
  std::optional<std::string> cursor;
  int limit = 50;
  bool newest_first = false;
};

// `sql` is a SELECT, with the id as its first column, and a WHERE clause whose parameters are
// `params`; `id_column` is the key column (qualified when joined). Appends the cursor condition,
// ORDER BY and LIMIT.
Result<Page> paginate(store::Tx& tx, std::string sql, store::Params params,
                      const std::string& id_column, const PageRequest& page,
                      const std::function<Json(const store::Row&)>& to_json);

}  // namespace mailjuke::core
