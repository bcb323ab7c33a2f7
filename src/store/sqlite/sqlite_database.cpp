#include "store/sqlite/sqlite_database.h"

#include <sqlite3.h>

#include <filesystem>
#include <unordered_map>

#include "store/sql/pool.h"

namespace mailjuke::store {
namespace {

bool isBusy(int rc) {
  rc &= 0xff;
  return rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
}

class SqliteConn final : public Tx {
 public:
  explicit SqliteConn(sqlite3* db) : db_(db) {}
  ~SqliteConn() override {
    for (auto& [_, st] : cache_) sqlite3_finalize(st);
    sqlite3_close_v2(db_);
  }
  Dialect dialect() const override { return Dialect::kSqlite; }

  Result<Rows> query(std::string_view sql, const Params& params) override {
    Rows rows;
    MJ_TRY(step(sql, params, &rows));
    return rows;
  }

  Result<int64_t> exec(std::string_view sql, const Params& params) override {
    MJ_TRY(step(sql, params, nullptr));
    return int64_t(sqlite3_changes(db_));
  }

  Status script(std::string_view sql) {
    std::string s(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      last_rc_ = rc;
      return Error::internal("sqlite: " + msg);
    }
    return {};
  }
  int lastRc() const { return last_rc_; }

 private:
  Status step(std::string_view sql, const Params& params, Rows* rows) {
    sqlite3_stmt* st = prepared(sql);
    if (!st) return fail(sqlite3_errcode(db_));
    for (size_t i = 0; i < params.size(); ++i) {
      int idx = int(i + 1);
      if (std::holds_alternative<std::nullptr_t>(params[i])) {
        sqlite3_bind_null(st, idx);
      } else if (auto* n = std::get_if<int64_t>(&params[i])) {
        sqlite3_bind_int64(st, idx, *n);
      } else {
        const auto& s = std::get<std::string>(params[i]);
        sqlite3_bind_text(st, idx, s.data(), int(s.size()), SQLITE_TRANSIENT);
      }
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      if (!rows) continue;
      int n = sqlite3_column_count(st);
      std::vector<std::optional<std::string>> cols;
      cols.reserve(n);
      for (int c = 0; c < n; ++c) {
        if (sqlite3_column_type(st, c) == SQLITE_NULL) {
          cols.emplace_back(std::nullopt);
        } else {
          auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
          cols.emplace_back(std::string(p, sqlite3_column_bytes(st, c)));
        }
      }
      rows->emplace_back(std::move(cols));
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE) return fail(rc);
    return {};
  }

  sqlite3_stmt* prepared(std::string_view sql) {
    std::string key(sql);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, key.c_str(), int(key.size()), &st, nullptr) != SQLITE_OK)
      return nullptr;
    cache_.emplace(std::move(key), st);
    return st;
  }

  Status fail(int rc) {
    last_rc_ = rc;
    int ext = sqlite3_extended_errcode(db_);
    std::string msg = sqlite3_errmsg(db_);
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
      return Error::make(ErrorCode::kConflict, "already exists");
    if (isBusy(rc)) return Error::make(ErrorCode::kUnavailable, "database busy");
    return Error::internal("sqlite: " + msg);
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
  int last_rc_ = SQLITE_OK;
};

class SqliteDatabase final : public Database {
 public:
  Dialect dialect() const override { return Dialect::kSqlite; }
  Pool<SqliteConn> pool;

  Status execScript(std::string_view sql) override {
    Lease<SqliteConn> c(pool);
    Status st = c->script(sql);
    if (!st.ok()) (void)c->script("ROLLBACK");  // leave the connection outside any transaction
    return st;
  }
  bool ping() override {
    Lease<SqliteConn> c(pool);
    return c->query("SELECT 1", {}).ok();
  }
  size_t poolSize() const override { return pool.size(); }
  size_t poolInUse() const override { return pool.inUse(); }

 protected:
  Status attempt(TxMode mode, const std::function<Status(Tx&)>& fn, bool& retryable) override {
    Lease<SqliteConn> c(pool);
    Status st = c->script(mode == TxMode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN");
    if (!st.ok()) {
      retryable = isBusy(c->lastRc());
      return st;
    }
    st = fn(*c);
    if (st.ok()) st = c->script("COMMIT");
    if (!st.ok()) {
      retryable = isBusy(c->lastRc());
      (void)c->script("ROLLBACK");
    }
    return st;
  }
};

}  // namespace

Result<std::unique_ptr<Database>> openSqlite(const std::string& path, size_t pool_size) {
  std::error_code ec;
  auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  auto db = std::make_unique<SqliteDatabase>();
  for (size_t i = 0; i < std::max<size_t>(pool_size, 1); ++i) {
    sqlite3* h = nullptr;
    int rc =
        sqlite3_open_v2(path.c_str(), &h,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = h ? sqlite3_errmsg(h) : sqlite3_errstr(rc);
      sqlite3_close_v2(h);
      return Error::make(ErrorCode::kUnavailable, "cannot open " + path + ": " + msg);
    }
    sqlite3_busy_timeout(h, 10000);
    auto conn = std::make_unique<SqliteConn>(h);
    MJ_TRY(
        conn->script("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; "
                     "PRAGMA mmap_size=268435456;"));
    db->pool.add(std::move(conn));
  }
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace mailjuke::store
