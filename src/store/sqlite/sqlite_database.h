#pragma once

#include <memory>
#include <string>

#include "store/sql/database.h"

namespace mailjuke::store {

// SQLite in WAL mode with foreign keys on; write transactions use BEGIN IMMEDIATE so concurrent
// writers queue on the busy timeout instead of deadlocking on lock upgrades.
Result<std::unique_ptr<Database>> openSqlite(const std::string& path, size_t pool_size);

}  // namespace mailjuke::store
