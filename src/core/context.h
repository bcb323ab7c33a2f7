// What every core service needs: storage, time, and the operator's settings.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "store/sql/database.h"

namespace mailjuke::core {

// What zone generation needs to know about the platform.
struct DnsSettings {
  std::string mail_hostname = "mail.mailjuke.test";
  std::vector<std::string> nameservers = {"ns1.mailjuke.test", "ns2.mailjuke.test"};
  std::string hostmaster = "hostmaster.mailjuke.test";
  std::string spf_include;  // empty: "v=spf1 a:<mail_hostname> ~all"
  std::string dmarc_rua = "dmarc-reports@mailjuke.test";
  std::string tracking_host = "track.mailjuke.test";
  std::string http_ipv4 = "127.0.0.1";  // apex/www A when forwarding is on
  std::string http_ipv6;
  int64_t dkim_grace_seconds = 7 * 86400;
  std::string resolver = "127.0.0.1:53";  // "ip:port" that verification asks
};

struct Settings {
  std::string platform_name = "MailJuke";
  std::string public_url = "http://127.0.0.1:8080";
  int64_t session_idle_seconds = 30 * 60;
  int64_t session_absolute_seconds = 12 * 3600;
  int64_t login_max_failures = 10;
  int64_t login_window_seconds = 15 * 60;
  unsigned long long password_ops = 2;
  size_t password_mem_bytes = 19 * 1024 * 1024;
  DnsSettings dns;
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
  std::string render() const;  // {"data": [...], "next_cursor": ...}
};

}  // namespace mailjuke::core
