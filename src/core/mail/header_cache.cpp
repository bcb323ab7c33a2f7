#include "core/mail/header_cache.h"

namespace mailjuke::core {

std::string_view headerBlock(std::string_view message) {
  if (message.rfind("\r\n", 0) == 0) return message.substr(0, 2);  // no header fields at all
  size_t end = message.find("\r\n\r\n");
  return end == std::string_view::npos ? message : message.substr(0, end + 4);
}

std::optional<std::string> HeaderCache::get(const std::string& blob_id) const {
  std::lock_guard lock(mu_);
  auto it = map_.find(blob_id);
  if (it == map_.end()) return std::nullopt;
  return it->second;
}

void HeaderCache::put(const std::string& blob_id, std::string header) {
  const size_t cost = blob_id.size() + header.size() + 64;  // + map node overhead, roughly
  if (cost > max_bytes_) return;
  std::lock_guard lock(mu_);
  if (map_.count(blob_id)) return;
  if (bytes_ + cost > max_bytes_) {
    map_.clear();
    bytes_ = 0;
  }
  map_.emplace(blob_id, std::move(header));
  bytes_ += cost;
}

size_t HeaderCache::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

}  // namespace mailjuke::core
