#include "store/sql/database.h"

#include <chrono>
#include <thread>

#include "base/crypto.h"
#include "store/postgres/pg_database.h"
#include "store/sqlite/sqlite_database.h"

namespace mailjuke::store {

const std::string& Row::text(size_t i) const {
  static const std::string kEmpty;
  const auto& c = cols_.at(i);
  return c ? *c : kEmpty;
}

int64_t Row::integer(size_t i) const {
  const auto& c = cols_.at(i);
  if (!c || c->empty()) return 0;
  if (*c == "t") return 1;  // PostgreSQL boolean text form
  if (*c == "f") return 0;
  return std::stoll(*c);
}

std::optional<int64_t> Row::optInteger(size_t i) const {
  if (isNull(i)) return std::nullopt;
  return integer(i);
}

Result<std::optional<Row>> Tx::queryOne(std::string_view sql, const Params& params) {
  auto rows = query(sql, params);
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return std::optional<Row>();
  return std::optional<Row>(std::move(rows->front()));
}

uint64_t Generations::of(std::string_view tag) const {
  size_t slot = std::hash<std::string_view>{}(tag) % kSlots;
  return slots_[slot].load(std::memory_order_acquire) + epoch_.load(std::memory_order_acquire);
}

void Generations::bump(std::string_view tag) {
  slots_[std::hash<std::string_view>{}(tag) % kSlots].fetch_add(1, std::memory_order_acq_rel);
}

void Generations::bumpAll() { epoch_.fetch_add(1, std::memory_order_acq_rel); }

Status Database::run(TxMode mode, const std::function<Status(Tx&)>& fn) {
  constexpr int kMaxAttempts = 8;
  std::vector<std::string> touched;
  bool touched_all = false;
  // Tags are taken from the attempt that committed and bumped only after its commit.
  auto tracked = [&](Tx& tx) -> Status {
    tx.touched_.clear();
    tx.touched_all_ = false;
    Status st = fn(tx);
    touched = std::move(tx.touched_);
    touched_all = tx.touched_all_;
    tx.touched_.clear();
    return st;
  };
  for (int i = 1;; ++i) {
    bool retryable = false;
    Status st = attempt(mode, tracked, retryable);
    if (st.ok()) {
      for (const auto& tag : touched) generations_.bump(tag);
      if (touched_all) generations_.bumpAll();
    }
    if (st.ok() || !retryable || i == kMaxAttempts) return st;
    // Jittered backoff so contenders do not collide again in lock step.
    std::this_thread::sleep_for(std::chrono::microseconds(200 * i + crypto::randomUniform(500)));
  }
}

Result<std::unique_ptr<Database>> openDatabase(const std::string& url, size_t pool_size) {
  if (url.rfind("sqlite:", 0) == 0) return openSqlite(url.substr(7), pool_size);
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0)
    return openPostgres(url, pool_size);
  return Error::invalid("storage.url", "must start with sqlite: or postgresql://");
}

}  // namespace mailjuke::store
