#include "store/postgres/pg_database.h"

#include <libpq-fe.h>

#include <unordered_map>

#include "store/sql/pool.h"

namespace mailjuke::store {

std::string rewritePlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

class PgConn final : public Tx {
 public:
  explicit PgConn(PGconn* c) : c_(c) {}
  ~PgConn() override { PQfinish(c_); }
  Dialect dialect() const override { return Dialect::kPostgres; }

  Result<Rows> query(std::string_view sql, const Params& params) override {
    Rows rows;
    MJ_TRY(run(sql, params, &rows, nullptr));
    return rows;
  }
  Result<int64_t> exec(std::string_view sql, const Params& params) override {
    int64_t n = 0;
    MJ_TRY(run(sql, params, nullptr, &n));
    return n;
  }
  Status script(std::string_view sql) {
    std::string s(sql);
    PGresult* r = PQexec(c_, s.c_str());
    Status st = check(r);
    PQclear(r);
    return st;
  }
  bool lastRetryable() const { return last_retryable_; }
  bool healthy() const { return PQstatus(c_) == CONNECTION_OK; }
  void reset() {
    PQreset(c_);
    prepared_.clear();
  }

 private:
  Status run(std::string_view sql, const Params& params, Rows* rows, int64_t* changed) {
    std::string key(sql);
    auto it = prepared_.find(key);
    if (it == prepared_.end()) {
      std::string name = "s" + std::to_string(prepared_.size());
      PGresult* r = PQprepare(c_, name.c_str(), rewritePlaceholders(sql).c_str(), 0, nullptr);
      Status st = check(r);
      PQclear(r);
      if (!st.ok()) return st;
      it = prepared_.emplace(std::move(key), std::move(name)).first;
    }
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      if (std::holds_alternative<std::nullptr_t>(params[i])) {
        values[i] = nullptr;
      } else if (auto* n = std::get_if<int64_t>(&params[i])) {
        texts[i] = std::to_string(*n);
        values[i] = texts[i].c_str();
      } else {
        values[i] = std::get<std::string>(params[i]).c_str();
      }
    }
    PGresult* r = PQexecPrepared(c_, it->second.c_str(), int(params.size()), values.data(), nullptr,
                                 nullptr, 0);
    Status st = check(r);
    if (st.ok() && rows) {
      int nr = PQntuples(r), nc = PQnfields(r);
      rows->reserve(nr);
      for (int i = 0; i < nr; ++i) {
        std::vector<std::optional<std::string>> cols;
        cols.reserve(nc);
        for (int j = 0; j < nc; ++j) {
          if (PQgetisnull(r, i, j))
            cols.emplace_back(std::nullopt);
          else
            cols.emplace_back(std::string(PQgetvalue(r, i, j), PQgetlength(r, i, j)));
        }
        rows->emplace_back(std::move(cols));
      }
    }
    if (st.ok() && changed) {
      const char* t = PQcmdTuples(r);
      *changed = (t && *t) ? std::stoll(t) : 0;
    }
    PQclear(r);
    return st;
  }

  Status check(PGresult* r) {
    last_retryable_ = false;
    auto s = PQresultStatus(r);
    if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY) return {};
    const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    std::string code = state ? state : "";
    std::string msg = PQerrorMessage(c_);
    if (code == "23505") return Error::make(ErrorCode::kConflict, "already exists");
    if (code == "40001" || code == "40P01") {
      last_retryable_ = true;
      return Error::make(ErrorCode::kUnavailable, "serialization failure");
    }
    if (!healthy()) return Error::make(ErrorCode::kUnavailable, "postgres: " + msg);
    return Error::internal("postgres " + code + ": " + msg);
  }

  PGconn* c_;
  std::unordered_map<std::string, std::string> prepared_;
  bool last_retryable_ = false;
};

class PgDatabase final : public Database {
 public:
  Dialect dialect() const override { return Dialect::kPostgres; }
  Pool<PgConn> pool;

  Status execScript(std::string_view sql) override {
    Lease<PgConn> c(pool);
    Status st = c->script(sql);
    if (!st.ok()) (void)c->script("ROLLBACK");  // leave the connection outside any transaction
    return st;
  }
  bool ping() override {
    Lease<PgConn> c(pool);
    if (!c->healthy()) c->reset();
    return c->script("SELECT 1").ok();
  }
  size_t poolSize() const override { return pool.size(); }
  size_t poolInUse() const override { return pool.inUse(); }

 protected:
  Status attempt(TxMode mode, const std::function<Status(Tx&)>& fn, bool& retryable) override {
    Lease<PgConn> c(pool);
    if (!c->healthy()) c->reset();
    Status st = c->script(mode == TxMode::kWrite ? "BEGIN" : "BEGIN READ ONLY");
    if (!st.ok()) {
      retryable = !c->healthy();
      return st;
    }
    st = fn(*c);
    if (st.ok()) st = c->script("COMMIT");
    if (!st.ok()) {
      retryable = c->lastRetryable();
      (void)c->script("ROLLBACK");
    }
    return st;
  }
};

}  // namespace

Result<std::unique_ptr<Database>> openPostgres(const std::string& url, size_t pool_size) {
  auto db = std::make_unique<PgDatabase>();
  for (size_t i = 0; i < std::max<size_t>(pool_size, 1); ++i) {
    PGconn* c = PQconnectdb(url.c_str());
    if (PQstatus(c) != CONNECTION_OK) {
      std::string msg = PQerrorMessage(c);
      PQfinish(c);
      return Error::make(ErrorCode::kUnavailable, "cannot connect to postgres: " + msg);
    }
    auto conn = std::make_unique<PgConn>(c);
    MJ_TRY(conn->script("SET client_min_messages = warning; SET TIME ZONE 'UTC'"));
    db->pool.add(std::move(conn));
  }
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace mailjuke::store
