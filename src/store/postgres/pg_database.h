#pragma once

#include <memory>
#include <string>

#include "store/sql/database.h"

namespace mailjuke::store {

// PostgreSQL through libpq. `?` placeholders are rewritten to $1..$n; statements are prepared
// once per connection. Transactions run at READ COMMITTED; code that needs a row lock uses
// Tx::forUpdate(). Serialization failures (40001) and deadlocks (40P01) are retried.
Result<std::unique_ptr<Database>> openPostgres(const std::string& url, size_t pool_size);

// Rewrites `?` outside quotes to $1, $2, ... (exposed for tests).
std::string rewritePlaceholders(std::string_view sql);

}  // namespace mailjuke::store
