// A ZIP file written with libzip from in-memory buffers and files on disk (the exports).
#pragma once

#include <zip.h>

#include <deque>
#include <string>

#include "base/result.h"

namespace mailjuke::core::privacy {

class ZipWriter {
 public:
  explicit ZipWriter(const std::string& path) {
    int err = 0;
    za_ = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  }
  ~ZipWriter() {
    if (za_) zip_discard(za_);
  }
  ZipWriter(const ZipWriter&) = delete;
  ZipWriter& operator=(const ZipWriter&) = delete;
  bool ok() const { return za_ != nullptr; }
  Status add(const std::string& name, std::string data) {
    buffers_.push_back(std::move(data));  // libzip reads the buffer at zip_close
    const auto& b = buffers_.back();
    zip_source_t* src = zip_source_buffer(za_, b.data(), b.size(), 0);
    if (!src) return Error::internal("zip: cannot make a source");
    if (zip_file_add(za_, name.c_str(), src, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8) < 0) {
      zip_source_free(src);
      return Error::internal(std::string("zip: ") + zip_strerror(za_));
    }
    return {};
  }
  // The file is read (streamed) at close(); it must exist until then.
  Status addFile(const std::string& name, const std::string& path) {
    zip_source_t* src = zip_source_file(za_, path.c_str(), 0, -1);  // -1: to the end
    if (!src) return Error::internal(std::string("zip: ") + zip_strerror(za_));
    if (zip_file_add(za_, name.c_str(), src, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8) < 0) {
      zip_source_free(src);
      return Error::internal(std::string("zip: ") + zip_strerror(za_));
    }
    return {};
  }
  Status close() {
    if (zip_close(za_) != 0) return Error::internal(std::string("zip: ") + zip_strerror(za_));
    za_ = nullptr;
    return {};
  }

 private:
  zip_t* za_ = nullptr;
  std::deque<std::string> buffers_;
};

}  // namespace mailjuke::core::privacy
