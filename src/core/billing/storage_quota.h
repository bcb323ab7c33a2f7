// Per-mailbox storage limits from the workspace's plan (billing::limitsFor), cached for a short
// time so that delivery and IMAP APPEND do not read the subscription for every message.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/context.h"

namespace mailjuke::core::billing {

class StorageQuota {
 public:
  static constexpr auto kMaxAge = std::chrono::seconds(30);
  explicit StorageQuota(CoreContext& ctx) : ctx_(ctx) {}
  // The plan's bytes per mailbox; nullopt when the plan cannot be read (callers fall back to
  // the operator's default). Blocks on SQL when not cached.
  std::optional<int64_t> bytesPerMailbox(const std::string& workspace_id);

 private:
  struct Entry {
    int64_t bytes;
    std::chrono::steady_clock::time_point read_at;
  };
  CoreContext& ctx_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> cache_;
};

}  // namespace mailjuke::core::billing
