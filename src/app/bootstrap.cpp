#include "app/bootstrap.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "base/crypto.h"
#include "base/encoding.h"
#include "core/billing/billing_options.h"
#include "core/billing/plans.h"
#include "store/sql/migrator.h"

namespace mailjuke::app {
namespace fs = std::filesystem;

namespace {
std::string toUpperAscii(std::string s) {
  for (auto& ch : s)
    if (ch >= 'a' && ch <= 'z') ch = char(ch - 'a' + 'A');
  return s;
}

Result<std::string> loadOrCreateKey(const std::string& path) {
  std::error_code ec;
  if (fs::exists(path, ec)) {
    std::ifstream in(path, std::ios::binary);
    std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (key.size() != 32)
      return Error::invalid("platform.secret_key_file", path + " must hold exactly 32 bytes");
    return key;
  }
  if (auto dir = fs::path(path).parent_path(); !dir.empty()) fs::create_directories(dir, ec);
  std::string key = crypto::randomBytes(32);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) return Error::invalid("platform.secret_key_file", "cannot write " + path);
    out.write(key.data(), std::streamsize(key.size()));
  }
  ::chmod(path.c_str(), 0600);
  spdlog::info("created a new secret key at {}", path);
  return key;
}
// The port of a "host:port" listener setting; `fallback` when it is missing or 0 (picked at
// start, so clients cannot be told one in advance).
int listenPort(const std::string& listen, int fallback) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return fallback;
  int port = 0;
  for (char c : listen.substr(colon + 1)) {
    if (c < '0' || c > '9' || port > 65535) return fallback;
    port = port * 10 + (c - '0');
  }
  return port > 0 && port <= 65535 ? port : fallback;
}
}  // namespace

core::Settings settingsFrom(const Config& c) {
  core::Settings s;
  s.platform_name = c.platform.name;
  s.public_url = c.platform.public_url;
  s.session_idle_seconds = c.security.session_idle_minutes * 60;
  s.session_absolute_seconds = c.security.session_absolute_hours * 3600;
  s.login_max_failures = c.security.login_max_failures;
  s.login_window_seconds = c.security.login_window_minutes * 60;
  s.password_ops = static_cast<unsigned long long>(c.security.password_hash_ops);
  s.password_mem_bytes = static_cast<size_t>(c.security.password_hash_mem_kib) * 1024;
  s.dns.mail_hostname = c.platform.mail_hostname;
  s.dns.nameservers = c.platform.nameservers;
  s.dns.hostmaster = c.dns.hostmaster;
  s.dns.spf_include = c.dns.spf_include;
  s.dns.dmarc_rua = c.dns.dmarc_rua;
  s.dns.tracking_host = c.dns.tracking_host;
  s.dns.http_ipv4 = c.dns.http_ipv4;
  s.dns.http_ipv6 = c.dns.http_ipv6;
  s.dns.dkim_grace_seconds = c.dns.dkim_grace_days * 86400;
  s.dns.resolver = c.delivery.resolver;
  s.mail.host = c.platform.mail_hostname;
  s.mail.submission_port = listenPort(c.smtp.submission_listen, 587);
  s.mail.submissions_port = listenPort(c.smtp.submissions_listen, 465);
  s.mail.imap_port = listenPort(c.imap.listen, 143);
  s.mail.imaps_port = listenPort(c.imap.imaps_listen, 993);
  auto& b = s.billing;
  b.currency = toUpperAscii(c.billing.currency);
  b.plans.clear();
  for (const auto& p : c.billing.plans) b.plans.push_back(*core::billing::parsePlan(p));
  for (const auto& p : c.registrar.tld_prices)
    b.domain_prices[p.substr(0, p.find('='))] = std::stoll(p.substr(p.find('=') + 1));
  b.trial_mailboxes = c.billing.trial_mailboxes;
  b.trial_storage_bytes = c.billing.trial_storage_mib * 1024 * 1024;
  b.provider = c.billing.provider;
  b.stripe_webhook_secret = c.billing.stripe_webhook_secret;
  b.wallet_first = c.billing.wallet_first == 1;
  b.retry_hours.clear();
  for (const auto& h : c.billing.retry_hours) b.retry_hours.push_back(std::stoll(h));
  b.renewal_notice_days = c.billing.renewal_notice_days;
  b.invoice_prefix = c.billing.invoice_prefix;
  b.seller_name = c.billing.seller_name;
  b.seller_address = c.billing.seller_address;
  b.seller_country = toUpperAscii(c.billing.seller_country);
  b.seller_vat_id = c.billing.seller_vat_id;
  b.fraud_topups_per_hour = c.billing.fraud_topups_per_hour;
  b.fraud_first_topup_limit = c.billing.fraud_first_topup_limit;
  b.fraud_declines_per_day = c.billing.fraud_declines_per_day;
  return s;
}

Result<std::unique_ptr<Bootstrapped>> bootstrap(const Config& config) {
  auto b = std::make_unique<Bootstrapped>();
  std::error_code ec;
  fs::create_directories(config.platform.data_dir, ec);
  if (ec)
    return Error::invalid("platform.data_dir",
                          "cannot create " + config.platform.data_dir + ": " + ec.message());
  MJ_TRY_ASSIGN(b->secret_key, loadOrCreateKey(config.platform.secret_key_file));
  MJ_TRY_ASSIGN(b->db, store::openDatabase(config.storage.url, size_t(config.storage.pool_size)));
  MJ_TRY_ASSIGN(auto applied, store::migrate(*b->db));
  for (const auto& name : applied) spdlog::info("applied migration {}", name);
  b->ctx = std::make_unique<core::CoreContext>(
      core::CoreContext{*b->db, b->clock, settingsFrom(config), b->secret_key});
  // Billing options outside BillingSettings (core/billing/billing_options.h).
  auto& bo = core::billing::billingOptions();
  bo.trial_credit = config.billing.trial_credit;
  bo.disposable_email_domains.clear();
  for (const auto& d : config.billing.disposable_email_domains)
    bo.disposable_email_domains.push_back(toLowerAscii(d));
  return b;
}

}  // namespace mailjuke::app
