// Rendered audit-log pages, kept while the workspace's audit log is unchanged: the entry's store
// generation (read before the page was read) must still be current, and the entry must be younger
// than a short age bound, which limits staleness from other nodes sharing the database.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/audit/audit_log.h"
#include "store/sql/database.h"

namespace mailjuke::core {

class AuditPageCache {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr auto kMaxAge = std::chrono::seconds(2);
  static constexpr size_t kMaxEntries = 4096;

  static std::string keyOf(const AuditQuery& q);

  // The rendered page, when cached and still valid.
  std::shared_ptr<const std::string> find(const std::string& key, const store::Database& db,
                                          const std::string& workspace_id) const;
  void put(std::string key, std::shared_ptr<const std::string> body, uint64_t generation);

 private:
  struct Entry {
    std::shared_ptr<const std::string> body;
    uint64_t generation;
    Clock::time_point filled_at;
  };
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace mailjuke::core
