// A small streaming JSON writer for hot list endpoints, where building a DOM per row costs more
// than the query. Produces compact JSON; strings are escaped per RFC 8259 (invalid UTF-8 is
// replaced with U+FFFD so output is always valid).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mailjuke {

class JsonWriter {
 public:
  JsonWriter& beginObject();
  JsonWriter& endObject();
  JsonWriter& beginArray();
  JsonWriter& endArray();
  JsonWriter& key(std::string_view k);
  JsonWriter& str(std::string_view v);
  JsonWriter& num(int64_t v);
  JsonWriter& boolean(bool v);
  JsonWriter& null();
  // Inserts already-serialised JSON (trusted input only).
  JsonWriter& raw(std::string_view json);
  // A nullable string: null when `v` is null.
  JsonWriter& optStr(const std::string* v) { return v ? str(*v) : null(); }

  std::string take() { return std::move(out_); }
  const std::string& view() const { return out_; }
  void reserve(size_t n) { out_.reserve(n); }

 private:
  void separator();
  std::string out_;
  bool need_comma_ = false;
};

void appendJsonString(std::string& out, std::string_view s);

}  // namespace mailjuke
