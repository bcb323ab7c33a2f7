// Header blocks of stored messages kept in memory for IMAP SEARCH on header keys (SUBJECT,
// FROM, HEADER …, RFC 9051 §6.4.4), so repeated searches read no blob. Blobs never change once
// written, so an entry never goes stale; the cache is bounded by bytes and cleared when full
// (expunged messages leave with the next clear). Thread-safe.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace mailjuke::core {

// The header block of an RFC 5322 message: everything up to and including the empty line (the
// whole message when it has no body).
std::string_view headerBlock(std::string_view message);

class HeaderCache {
 public:
  explicit HeaderCache(size_t max_bytes = size_t(64) << 20) : max_bytes_(max_bytes) {}
  std::optional<std::string> get(const std::string& blob_id) const;
  void put(const std::string& blob_id, std::string header);
  size_t bytes() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::string> map_;
  size_t bytes_ = 0;
  const size_t max_bytes_;
};

}  // namespace mailjuke::core
