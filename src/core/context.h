// What every core service needs: storage, time, and the operator's settings.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "store/sql/database.h"

namespace mailjuke::core {

struct Settings {
  std::string platform_name = "MailJuke";
  std::string public_url = "http://127.0.0.1:8080";
  int64_t session_idle_seconds = 30 * 60;
  int64_t session_absolute_seconds = 12 * 3600;
  int64_t login_max_failures = 10;
  int64_t login_window_seconds = 15 * 60;
  unsigned long long password_ops = 2;
  size_t password_mem_bytes = 19 * 1024 * 1024;
};

struct CoreContext {
  store::Database& db;
  const Clock& clock;
  Settings settings;
  std::string secret_key;  // 32 bytes, AEAD key for secrets that must be recovered
};

// A page of a cursor-paginated list (API.md: {data, next_cursor}).
struct Page {
  Json data = Json::array();
  std::optional<std::string> raw_data;  // a serialised array, set instead of `data` on hot paths
  std::optional<std::string> next_cursor;
  Json toJson() const;
  std::string render() const;  // {"data": [...], "next_cursor": ...}
};

}  // namespace mailjuke::core
