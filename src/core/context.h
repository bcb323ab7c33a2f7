// What every core service needs: storage, time, and the operator's settings.
#pragma once

#include <cstdint>
#include <map>
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

// One plan of the catalog ([billing] plans). Prices are per period in minor units.
struct PlanSettings {
  std::string id;    // starter
  std::string name;  // Starter
  int64_t mailboxes = 0;
  int64_t monthly_price = 0;
  int64_t yearly_price = 0;  // default 10 x monthly
  int64_t storage_bytes_per_mailbox = 0;
};

// The billing catalog and money rules (docs/billing.md).
struct BillingSettings {
  std::string currency = "USD";  // ISO 4217, upper case in the ledger; lower case in the API
  std::vector<PlanSettings> plans = {
      {"starter", "Starter", 10, 3900, 39000, int64_t(5) << 30},
      {"growth", "Growth", 30, 9900, 99000, int64_t(10) << 30},
      {"pro", "Pro", 100, 29900, 299000, int64_t(20) << 30},
  };
  std::map<std::string, int64_t> domain_prices;  // yearly, per TLD ([registrar] tld_prices)
  // Workspaces without a live subscription (never subscribed, or canceled).
  int64_t trial_mailboxes = 3;
  int64_t trial_storage_bytes = int64_t(1) << 30;
  std::string provider = "sandbox";  // sandbox | stripe
  std::string stripe_webhook_secret;
  bool wallet_first = true;  // renewals are paid from the wallet when it covers the invoice
  std::vector<int64_t> retry_hours = {24, 48, 72, 96, 144, 192, 264, 336};  // after a decline
  int64_t renewal_notice_days = 7;
  std::string invoice_prefix = "MJ";
  std::string seller_name = "MailJuke";
  std::string seller_address = "";
  std::string seller_country = "DE";
  std::string seller_vat_id = "";
  // Fraud rules before a top-up is charged.
  int64_t fraud_topups_per_hour = 5;
  int64_t fraud_first_topup_limit = 100000;  // a first top-up above this is reviewed
  int64_t fraud_declines_per_day = 3;
  int64_t min_top_up = 500;
  int64_t max_top_up = 1000000;
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
  BillingSettings billing;
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
