#include "core/billing/storage_quota.h"

#include "core/billing/limits.h"

namespace mailjuke::core::billing {

std::optional<int64_t> StorageQuota::bytesPerMailbox(const std::string& workspace_id) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lk(mu_);
    auto it = cache_.find(workspace_id);
    if (it != cache_.end() && now - it->second.read_at < kMaxAge) return it->second.bytes;
  }
  auto limits = limitsFor(ctx_, workspace_id);
  if (!limits.ok()) return std::nullopt;
  std::lock_guard lk(mu_);
  if (cache_.size() > 100000) cache_.clear();
  cache_[workspace_id] = Entry{limits->storage_bytes_per_mailbox, now};
  return limits->storage_bytes_per_mailbox;
}

}  // namespace mailjuke::core::billing
