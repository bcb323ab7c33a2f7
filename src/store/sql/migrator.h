// Versioned schema migrations, embedded in the binary (see cmake/embed_migrations.cmake).
#pragma once

#include <string>
#include <vector>

#include "store/sql/database.h"

namespace mailjuke::store {

struct EmbeddedMigration {
  const char* engine;  // "common", "sqlite" or "postgres"
  const char* name;    // "0001_identity": the number orders them
  const char* sql;
};
const std::vector<EmbeddedMigration>& embeddedMigrations();

struct Migration {
  int version;
  std::string name;
  std::string sql;
};
// The migrations for one engine, in order: an engine's own file replaces the common one.
std::vector<Migration> migrationsFor(Dialect dialect);

// Applies every migration not yet recorded in schema_migrations, each in its own transaction.
// Returns the names applied.
Result<std::vector<std::string>> migrate(Database& db);

}  // namespace mailjuke::store
