#include "store/sql/migrator.h"

#include <algorithm>
#include <map>

namespace mailjuke::store {

std::vector<Migration> migrationsFor(Dialect dialect) {
  const std::string engine = dialect == Dialect::kSqlite ? "sqlite" : "postgres";
  std::map<std::string, Migration> by_name;
  for (const auto& m : embeddedMigrations()) {
    std::string e = m.engine;
    if (e != "common" && e != engine) continue;
    std::string name = m.name;
    if (e == "common" && by_name.count(name)) continue;  // the engine's file wins
    by_name[name] = Migration{std::stoi(name.substr(0, 4)), name, m.sql};
  }
  std::vector<Migration> out;
  for (auto& [_, m] : by_name) out.push_back(std::move(m));
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.version < b.version; });
  return out;
}

Result<std::vector<std::string>> migrate(Database& db) {
  MJ_TRY(db.execScript(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT "
      "NULL, applied_at BIGINT NOT NULL)"));
  std::vector<std::string> applied;
  for (const auto& m : migrationsFor(db.dialect())) {
    bool done = false;
    MJ_TRY(db.run(TxMode::kRead, [&](Tx& tx) -> Status {
      MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT 1 FROM schema_migrations WHERE version = ?",
                                          {int64_t(m.version)}));
      done = row.has_value();
      return {};
    }));
    if (done) continue;
    // DDL runs as one script inside an explicit transaction so a failed migration leaves nothing.
    std::string script = "BEGIN;\n" + m.sql +
                         "\nINSERT INTO schema_migrations (version, name, applied_at) VALUES (" +
                         std::to_string(m.version) + ", '" + m.name + "', 0);\nCOMMIT;";
    Status st = db.execScript(script);
    if (!st.ok()) {
      return Error::internal("migration " + m.name + " failed: " + st.error().message);
    }
    applied.push_back(m.name);
  }
  return applied;
}

}  // namespace mailjuke::store
