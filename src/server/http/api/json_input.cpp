#include "server/http/api/json_input.h"

#include <cstring>

#include "server/http/api/route.h"

namespace mailjuke::api {

Result<int> Ctx::intQuery(const std::string& name, int min, int max, int fallback) const {
  auto v = req.queryParam(name);
  if (!v) return fallback;
  auto bad = [&] {
    return Error::invalid(
        name, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
  };
  int64_t n = 0;
  for (char c : *v) {
    if (c < '0' || c > '9' || n > max) return bad();
    n = n * 10 + (c - '0');
  }
  if (v->empty() || n < min || n > max) return bad();
  return int(n);
}

Result<JsonInput> JsonInput::from(const Json& body, std::initializer_list<const char*> allowed) {
  if (!body.is_object()) return Error::invalid("body", "must be a JSON object");
  for (auto it = body.begin(); it != body.end(); ++it) {
    bool ok = false;
    for (const char* a : allowed)
      if (it.key() == a) ok = true;
    if (!ok) return Error::invalid(it.key(), "is not a known field");
  }
  return JsonInput(body);
}

Result<std::string> JsonInput::str(const char* field, size_t max_len) const {
  MJ_TRY_ASSIGN(auto v, optStr(field, max_len));
  if (!v) return Error::invalid(field, "is required");
  return *v;
}

Result<std::optional<std::string>> JsonInput::optStr(const char* field, size_t max_len) const {
  if (!body_.contains(field) || body_[field].is_null()) return std::optional<std::string>();
  if (!body_[field].is_string()) return Error::invalid(field, "must be a string");
  const auto& s = body_[field].get_ref<const std::string&>();
  if (s.size() > max_len)
    return Error::invalid(field, "is too long (at most " + std::to_string(max_len) + " bytes)");
  return std::optional<std::string>(s);
}

Result<std::optional<std::optional<std::string>>> JsonInput::nullableStr(const char* field,
                                                                         size_t max_len) const {
  using R = std::optional<std::optional<std::string>>;
  if (!body_.contains(field)) return R();
  if (body_[field].is_null()) return R(std::optional<std::string>());
  MJ_TRY_ASSIGN(auto v, optStr(field, max_len));
  return R(v);
}

Result<bool> JsonInput::boolean(const char* field) const {
  MJ_TRY_ASSIGN(auto v, optBool(field));
  if (!v) return Error::invalid(field, "is required");
  return *v;
}

Result<std::optional<bool>> JsonInput::optBool(const char* field) const {
  if (!body_.contains(field) || body_[field].is_null()) return std::optional<bool>();
  if (!body_[field].is_boolean()) return Error::invalid(field, "must be true or false");
  return std::optional<bool>(body_[field].get<bool>());
}

Result<std::optional<int64_t>> JsonInput::optInt(const char* field, int64_t min,
                                                 int64_t max) const {
  if (!body_.contains(field) || body_[field].is_null()) return std::optional<int64_t>();
  const auto& v = body_[field];
  if (!v.is_number_integer()) return Error::invalid(field, "must be an integer");
  int64_t n = v.get<int64_t>();
  if (n < min || n > max)
    return Error::invalid(field,
                          "must be between " + std::to_string(min) + " and " + std::to_string(max));
  return std::optional<int64_t>(n);
}

}  // namespace mailjuke::api
