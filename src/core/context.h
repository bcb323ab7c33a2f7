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

// What mailbox settings and sequencer exports tell clients (the platform's mail endpoints).
struct MailSettings {
  std::string host = "mail.mailjuke.test";  // [platform] mail_hostname
  int submission_port = 587;                // [smtp] submission_listen, STARTTLS
  int submissions_port = 465;               // [smtp] submissions_listen, implicit TLS
  int imap_port = 143;                      // [imap] listen, STARTTLS
  int imaps_port = 993;                     // [imap] imaps_listen, implicit TLS
  int64_t default_daily_limit = 50;         // messages per UTC day for a new mailbox
  // Argon2id cost for passwords MailJuke generates (24 random characters, ~142 bits). The
  // OWASP cost in Settings (t=2, 19 MiB) exists to slow guessing of human-chosen passwords; a
  // 142-bit random secret cannot be guessed at any speed, so a light cost keeps bulk creation
  // of 1,000 mailboxes within seconds and first logins cheap. Customer-chosen passwords always
  // get the full cost.
  unsigned long long generated_password_ops = 1;
  size_t generated_password_mem_bytes = 2 * 1024 * 1024;
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
  MailSettings mail;
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
