// Immutable message bodies as content-addressed files: <root>/<aa>/<sha256 hex>. A put() is
// durable when it returns (file fsync'd, renamed, directory fsync'd). Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace mailjuke::core {

struct BlobRef {
  std::string id;  // lower-case sha256 hex of the content
  int64_t size = 0;
};

class BlobStore {
 public:
  explicit BlobStore(std::string root);

  // Idempotent: storing the same content twice writes it once.
  Result<BlobRef> put(std::string_view content);
  Result<std::string> get(std::string_view id) const;
  std::string path(std::string_view id) const;
  Status remove(std::string_view id);
  // Every stored blob id (garbage collection).
  Result<std::vector<std::string>> list() const;

 private:
  std::string root_;
};

}  // namespace mailjuke::core
