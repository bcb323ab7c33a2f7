// Configuration: embedded defaults, then a TOML file (--config), then MAILJUKE_<SECTION>_<KEY>
// environment overrides. Unknown keys and bad values are errors naming the key.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"

namespace mailjuke::app {

struct Config {
  struct Platform {
    std::string name = "MailJuke";
    std::string public_url = "http://127.0.0.1:8080";
    std::string mail_hostname = "mail.mailjuke.test";
    std::vector<std::string> nameservers = {"ns1.mailjuke.test", "ns2.mailjuke.test"};
    std::string data_dir = "var";
    std::string secret_key_file;  // default: <data_dir>/secret.key
    std::string operator_email = "operator@mailjuke.test";
  } platform;
  struct Storage {
    std::string url;  // default: sqlite:<data_dir>/mailjuke.db
    int64_t pool_size = 8;
  } storage;
  struct Http {
    std::string listen = "127.0.0.1:8080";
    int64_t max_connections = 10000;
    int64_t io_threads = 2;
    int64_t worker_threads = 4;
    std::string web_root = "web";
  } http;
  struct Dns {
    std::string listen = "127.0.0.1:8053";
    int64_t udp_threads = 1;
    std::string hostmaster = "hostmaster.mailjuke.test";
    std::string spf_include;
    std::string dmarc_rua = "dmarc-reports@mailjuke.test";
    std::string tracking_host = "track.mailjuke.test";
    std::string http_ipv4 = "127.0.0.1";
    std::string http_ipv6;
    int64_t dkim_grace_days = 7;
    std::vector<std::string> axfr_allow;
    std::vector<std::string> notify;
  } dns;
  struct Smtp {
    std::string mx_listen = "127.0.0.1:2525";
    std::string submission_listen = "127.0.0.1:2587";
    std::string submissions_listen = "127.0.0.1:2465";
    int64_t max_message_size = 25 * 1024 * 1024;  // octets, advertised as SIZE
    int64_t max_recipients = 100;
    int64_t max_connections = 2000;
    int64_t max_connections_per_ip = 100;
    int64_t allow_plaintext_auth = 0;  // 1: AUTH without TLS from loopback (development only)
    std::string tls_cert_file;  // default: <data_dir>/tls/cert.pem (self-signed when missing)
    std::string tls_key_file;   // default: <data_dir>/tls/key.pem
  } smtp;
  struct Imap {
    std::string listen = "127.0.0.1:2143";
    std::string imaps_listen = "127.0.0.1:2993";
    int64_t max_connections = 5000;
    int64_t max_connections_per_ip = 50;
    int64_t max_connections_per_user = 20;  // logged-in sessions of one mailbox (all IPs)
    int64_t allow_plaintext_auth = 0;       // 1: LOGIN without TLS from loopback (development only)
  } imap;
  struct Mail {
    // Storage limit per mailbox (RFC 9208 QUOTA, APPEND and delivery refuse beyond it). The
    // plan's limit replaces it when billing provides one (mailboxQuotaBytes in mail_runtime).
    int64_t mailbox_quota_mb = 5120;
    // From of every platform e-mail (verification, resets, notices, marketing): "Name <address>"
    // or an address. Empty: "<platform.name> <no-reply@host of public_url>" (mail_hostname when
    // public_url's host is not a domain name). DKIM-signed when that domain is hosted here.
    std::string platform_from;
    // 1: the outbox is delivered (nodes running the smtp role); 0: rows stay pending.
    int64_t send_outbox = 1;
  } mail;
  struct Delivery {
    std::string resolver = "127.0.0.1:53";
    std::string relay;
    int64_t port = 25;
    int64_t max_age_hours = 5 * 24;    // then the sender gets a bounce
    int64_t first_retry_seconds = 60;  // doubles per attempt, capped at 4 h
    int64_t concurrency = 16;
  } delivery;
  struct Billing {
    std::string provider = "sandbox";  // sandbox | stripe
    std::string currency = "usd";
    // "id:Name:mailboxes:monthly_minor_units:storage_mib_per_mailbox[:yearly_minor_units]";
    // yearly defaults to 10 x monthly. Domain prices come from [registrar] tld_prices.
    std::vector<std::string> plans = {"starter:Starter:10:3900:5120", "growth:Growth:30:9900:10240",
                                      "pro:Pro:100:29900:20480"};
    int64_t trial_mailboxes = 3;  // without a live subscription
    int64_t trial_storage_mib = 1024;
    int64_t wallet_first = 1;  // renewals paid from the wallet when it covers the invoice
    std::vector<std::string> retry_hours = {"24", "48", "72", "96", "144", "192", "264", "336"};
    int64_t renewal_notice_days = 7;
    std::string invoice_prefix = "MJ";
    std::string seller_name = "MailJuke";
    std::string seller_address;
    std::string seller_country = "DE";
    std::string seller_vat_id;
    std::string stripe_webhook_secret;
    // provider = stripe: PaymentIntents and Refunds over HTTPS (core/billing/stripe_client.h).
    std::string stripe_secret_key;
    std::string stripe_api_base = "https://api.stripe.com";
    std::string stripe_ca_file;  // PEM trusted for stripe_api_base; empty: the system store
    int64_t stripe_timeout_ms = 10000;
    int64_t fraud_topups_per_hour = 5;
    int64_t fraud_first_topup_limit = 100000;
    int64_t fraud_declines_per_day = 3;
    // Issue 6 (billing helper): wallet credit for new workspaces, extra disposable domains.
    int64_t trial_credit = 0;
    std::vector<std::string> disposable_email_domains;
  } billing;
  struct Registrar {
    std::string provider = "sandbox";
    // Yearly prices per TLD in minor units (USD cents), as "tld=amount".
    std::vector<std::string> tld_prices = {"com=1200", "net=1400", "org=1300",
                                           "io=3900",  "co=2900",  "dev=1500"};
  } registrar;
  struct Security {
    int64_t session_idle_minutes = 30;
    int64_t session_absolute_hours = 12;
    int64_t login_max_failures = 10;
    int64_t login_window_minutes = 15;
    int64_t password_hash_mem_kib = 19 * 1024;
    int64_t password_hash_ops = 2;
    int64_t rate_limit_per_minute = 6000;
  } security;
  struct Privacy {
    int64_t legal_retention_years = 10;  // invoices/ledger kept restricted after erasure
    std::vector<std::string> legal_retention_by_country;  // "DE:10", "NL:7" (country:years)
    int64_t workspace_grace_days = 30;    // solely owned workspaces of an erased person
    int64_t export_valid_days = 5;        // access/portability download links
    std::string policy_file;              // empty: the embedded policy text
    std::string dpa_version = "2026-04";  // the data processing agreement in force
  } privacy;

  // Fills in paths that default relative to data_dir.
  void finish();
};

// Loads defaults + file (empty path: none) + environment. Errors name the offending key.
Result<Config> loadConfig(const std::string& path, const std::map<std::string, std::string>& env);
std::map<std::string, std::string> environmentMap();

}  // namespace mailjuke::app
