// Reads a JSON request body strictly: unknown fields, wrong types and missing required fields
// are 422 errors naming the field.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>

#include "base/json.h"
#include "base/result.h"

namespace mailjuke::api {

class JsonInput {
 public:
  // Fails when `body` is not an object or has a field outside `allowed`.
  static Result<JsonInput> from(const Json& body, std::initializer_list<const char*> allowed);

  Result<std::string> str(const char* field, size_t max_len = 1024) const;
  Result<std::optional<std::string>> optStr(const char* field, size_t max_len = 1024) const;
  // Distinguishes absent (nullopt) from explicit null (optional holding nullopt).
  Result<std::optional<std::optional<std::string>>> nullableStr(const char* field,
                                                                size_t max_len = 1024) const;
  Result<bool> boolean(const char* field) const;
  Result<std::optional<bool>> optBool(const char* field) const;
  Result<std::optional<int64_t>> optInt(const char* field, int64_t min, int64_t max) const;
  bool has(const char* field) const { return body_.contains(field); }
  const Json& raw() const { return body_; }

 private:
  explicit JsonInput(const Json& b) : body_(b) {}
  const Json& body_;
};

}  // namespace mailjuke::api
