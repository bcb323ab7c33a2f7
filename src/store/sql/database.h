// The storage interface every module uses: portable SQL with `?` placeholders, bind parameters
// only, transactions retried on serialization failures. Engines: sqlite/, postgres/.
//
// Thread-safety: Database is thread-safe; a Tx belongs to the thread running the transaction.
// Calls block: run them on the worker pool, never on a network thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.h"

namespace mailjuke::store {

enum class Dialect { kSqlite, kPostgres };

using Value = std::variant<std::nullptr_t, int64_t, std::string>;
using Params = std::vector<Value>;

inline Value nullable(const std::optional<std::string>& s) {
  return s ? Value(*s) : Value(nullptr);
}

// A result row; every column is read as text (NULL as nullopt).
class Row {
 public:
  explicit Row(std::vector<std::optional<std::string>> cols) : cols_(std::move(cols)) {}
  size_t size() const { return cols_.size(); }
  bool isNull(size_t i) const { return !cols_.at(i).has_value(); }
  const std::string& text(size_t i) const;  // "" for NULL
  std::optional<std::string> optText(size_t i) const { return cols_.at(i); }
  int64_t integer(size_t i) const;  // 0 for NULL
  std::optional<int64_t> optInteger(size_t i) const;
  bool boolean(size_t i) const { return integer(i) != 0; }

 private:
  std::vector<std::optional<std::string>> cols_;
};
using Rows = std::vector<Row>;

// One connection in a transaction.
class Tx {
 public:
  virtual ~Tx() = default;
  // Marks data named by `tag` (e.g. a workspace's audit log) as changed by this transaction: its
  // generation (Database::generation) moves on once the transaction has committed. Caches
  // validated by a generation read before their read transaction can never keep stale data.
  void touch(std::string_view tag) { touched_.emplace_back(tag); }
  // Every generation moves on (a change that cuts across tags, such as an erasure).
  void touchAll() { touched_all_ = true; }
  virtual Dialect dialect() const = 0;
  virtual Result<Rows> query(std::string_view sql, const Params& params = {}) = 0;
  // Returns the number of rows changed.
  virtual Result<int64_t> exec(std::string_view sql, const Params& params = {}) = 0;

  Result<std::optional<Row>> queryOne(std::string_view sql, const Params& params = {});
  // " FOR UPDATE" on engines with row locks; SQLite's write transactions lock the database.
  const char* forUpdate() const { return dialect() == Dialect::kPostgres ? " FOR UPDATE" : ""; }

 private:
  friend class Database;
  std::vector<std::string> touched_;
  bool touched_all_ = false;
};

// Per-tag change counters of committed transactions (hashed into a fixed table: two tags may
// share a counter, which only costs a cache miss). This process's commits only: caches that
// must also see other nodes' writes bound their age as well.
class Generations {
 public:
  uint64_t of(std::string_view tag) const;
  void bump(std::string_view tag);
  void bumpAll();

 private:
  static constexpr size_t kSlots = 4096;
  std::array<std::atomic<uint64_t>, kSlots> slots_{};
  std::atomic<uint64_t> epoch_{0};
};

enum class TxMode { kRead, kWrite };

class Database {
 public:
  virtual ~Database() = default;
  virtual Dialect dialect() const = 0;
  // Runs `fn` in a transaction and commits when it returns ok; rolls back on error. Retries the
  // whole function (up to 8 times) when the engine reports a serialization failure, deadlock or
  // busy database, so `fn` must not have side effects outside the transaction.
  Status run(TxMode mode, const std::function<Status(Tx&)>& fn);
  template <class T>
  Result<T> read(const std::function<Result<T>(Tx&)>& fn) {
    return runValue<T>(TxMode::kRead, fn);
  }
  template <class T>
  Result<T> write(const std::function<Result<T>(Tx&)>& fn) {
    return runValue<T>(TxMode::kWrite, fn);
  }
  // Applies a whole SQL script outside any pooled transaction (migrations).
  virtual Status execScript(std::string_view sql) = 0;
  virtual bool ping() = 0;
  virtual size_t poolSize() const = 0;
  virtual size_t poolInUse() const = 0;
  // Read before a read transaction whose result is cached; see Tx::touch.
  uint64_t generation(std::string_view tag) const { return generations_.of(tag); }

 protected:
  // Engines implement one attempt: begin, fn, commit or rollback. `retryable` is set when the
  // failure is worth repeating.
  virtual Status attempt(TxMode mode, const std::function<Status(Tx&)>& fn, bool& retryable) = 0;

 private:
  Generations generations_;

  template <class T>
  Result<T> runValue(TxMode mode, const std::function<Result<T>(Tx&)>& fn) {
    std::optional<T> out;
    Status st = run(mode, [&](Tx& tx) -> Status {
      auto r = fn(tx);
      if (!r.ok()) return std::move(r).error();
      out = std::move(r).value();
      return {};
    });
    if (!st.ok()) return std::move(st).error();
    return std::move(*out);
  }
};

// Opens "sqlite:path" or "postgresql://..." with a pool of `pool_size` connections.
Result<std::unique_ptr<Database>> openDatabase(const std::string& url, size_t pool_size);

}  // namespace mailjuke::store
