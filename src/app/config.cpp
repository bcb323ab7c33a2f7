#include "app/config.h"

#include <toml++/toml.h>

#include <cctype>
#include <charconv>
#include <functional>
#include <variant>

#include "core/billing/plans.h"
#include "core/mail/outbox_sender.h"

extern char** environ;

namespace mailjuke::app {
namespace {

using Target = std::variant<std::string*, int64_t*, std::vector<std::string>*>;
struct Key {
  const char* section;
  const char* name;
  Target target;
};

std::vector<Key> keysOf(Config& c) {
  return {
      {"platform", "name", &c.platform.name},
      {"platform", "public_url", &c.platform.public_url},
      {"platform", "mail_hostname", &c.platform.mail_hostname},
      {"platform", "nameservers", &c.platform.nameservers},
      {"platform", "data_dir", &c.platform.data_dir},
      {"platform", "secret_key_file", &c.platform.secret_key_file},
      {"platform", "operator_email", &c.platform.operator_email},
      {"storage", "url", &c.storage.url},
      {"storage", "pool_size", &c.storage.pool_size},
      {"http", "listen", &c.http.listen},
      {"http", "max_connections", &c.http.max_connections},
      {"http", "io_threads", &c.http.io_threads},
      {"http", "worker_threads", &c.http.worker_threads},
      {"http", "web_root", &c.http.web_root},
      {"dns", "listen", &c.dns.listen},
      {"dns", "axfr_allow", &c.dns.axfr_allow},
      {"dns", "udp_threads", &c.dns.udp_threads},
      {"dns", "hostmaster", &c.dns.hostmaster},
      {"dns", "spf_include", &c.dns.spf_include},
      {"dns", "dmarc_rua", &c.dns.dmarc_rua},
      {"dns", "tracking_host", &c.dns.tracking_host},
      {"dns", "http_ipv4", &c.dns.http_ipv4},
      {"dns", "http_ipv6", &c.dns.http_ipv6},
      {"dns", "dkim_grace_days", &c.dns.dkim_grace_days},
      {"dns", "notify", &c.dns.notify},
      {"smtp", "mx_listen", &c.smtp.mx_listen},
      {"smtp", "submission_listen", &c.smtp.submission_listen},
      {"smtp", "submissions_listen", &c.smtp.submissions_listen},
      {"smtp", "max_message_size", &c.smtp.max_message_size},
      {"smtp", "max_recipients", &c.smtp.max_recipients},
      {"smtp", "max_connections", &c.smtp.max_connections},
      {"smtp", "max_connections_per_ip", &c.smtp.max_connections_per_ip},
      {"smtp", "allow_plaintext_auth", &c.smtp.allow_plaintext_auth},
      {"smtp", "tls_cert_file", &c.smtp.tls_cert_file},
      {"smtp", "tls_key_file", &c.smtp.tls_key_file},
      {"imap", "listen", &c.imap.listen},
      {"imap", "imaps_listen", &c.imap.imaps_listen},
      {"imap", "max_connections", &c.imap.max_connections},
      {"imap", "max_connections_per_ip", &c.imap.max_connections_per_ip},
      {"imap", "max_connections_per_user", &c.imap.max_connections_per_user},
      {"imap", "allow_plaintext_auth", &c.imap.allow_plaintext_auth},
      {"mail", "mailbox_quota_mb", &c.mail.mailbox_quota_mb},
      {"mail", "platform_from", &c.mail.platform_from},
      {"mail", "send_outbox", &c.mail.send_outbox},
      {"delivery", "resolver", &c.delivery.resolver},
      {"delivery", "relay", &c.delivery.relay},
      {"delivery", "port", &c.delivery.port},
      {"delivery", "max_age_hours", &c.delivery.max_age_hours},
      {"delivery", "first_retry_seconds", &c.delivery.first_retry_seconds},
      {"delivery", "concurrency", &c.delivery.concurrency},
      {"billing", "provider", &c.billing.provider},
      {"billing", "currency", &c.billing.currency},
      {"billing", "plans", &c.billing.plans},
      {"billing", "trial_mailboxes", &c.billing.trial_mailboxes},
      {"billing", "trial_storage_mib", &c.billing.trial_storage_mib},
      {"billing", "wallet_first", &c.billing.wallet_first},
      {"billing", "retry_hours", &c.billing.retry_hours},
      {"billing", "renewal_notice_days", &c.billing.renewal_notice_days},
      {"billing", "invoice_prefix", &c.billing.invoice_prefix},
      {"billing", "seller_name", &c.billing.seller_name},
      {"billing", "seller_address", &c.billing.seller_address},
      {"billing", "seller_country", &c.billing.seller_country},
      {"billing", "seller_vat_id", &c.billing.seller_vat_id},
      {"billing", "stripe_webhook_secret", &c.billing.stripe_webhook_secret},
      {"billing", "stripe_secret_key", &c.billing.stripe_secret_key},
      {"billing", "stripe_api_base", &c.billing.stripe_api_base},
      {"billing", "stripe_ca_file", &c.billing.stripe_ca_file},
      {"billing", "stripe_timeout_ms", &c.billing.stripe_timeout_ms},
      {"billing", "fraud_topups_per_hour", &c.billing.fraud_topups_per_hour},
      {"billing", "fraud_first_topup_limit", &c.billing.fraud_first_topup_limit},
      {"billing", "fraud_declines_per_day", &c.billing.fraud_declines_per_day},
      {"billing", "trial_credit", &c.billing.trial_credit},
      {"billing", "disposable_email_domains", &c.billing.disposable_email_domains},
      {"registrar", "provider", &c.registrar.provider},
      {"registrar", "tld_prices", &c.registrar.tld_prices},
      {"security", "session_idle_minutes", &c.security.session_idle_minutes},
      {"security", "session_absolute_hours", &c.security.session_absolute_hours},
      {"security", "login_max_failures", &c.security.login_max_failures},
      {"security", "login_window_minutes", &c.security.login_window_minutes},
      {"security", "password_hash_mem_kib", &c.security.password_hash_mem_kib},
      {"security", "password_hash_ops", &c.security.password_hash_ops},
      {"security", "rate_limit_per_minute", &c.security.rate_limit_per_minute},
      {"privacy", "legal_retention_years", &c.privacy.legal_retention_years},
      {"privacy", "legal_retention_by_country", &c.privacy.legal_retention_by_country},
      {"privacy", "workspace_grace_days", &c.privacy.workspace_grace_days},
      {"privacy", "export_valid_days", &c.privacy.export_valid_days},
      {"privacy", "policy_file", &c.privacy.policy_file},
      {"privacy", "dpa_version", &c.privacy.dpa_version},
  };
}

std::string fullName(const Key& k) { return std::string(k.section) + "." + k.name; }

Status setFromText(const Key& k, const std::string& text) {
  if (auto* s = std::get_if<std::string*>(&k.target)) {
    **s = text;
  } else if (auto* n = std::get_if<int64_t*>(&k.target)) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size())
      return Error::invalid(fullName(k), "expected an integer, got '" + text + "'");
    **n = v;
  } else {
    auto* list = std::get<std::vector<std::string>*>(k.target);
    list->clear();
    size_t start = 0;
    while (start <= text.size() && !text.empty()) {
      size_t comma = text.find(',', start);
      if (comma == std::string::npos) comma = text.size();
      if (comma > start) list->push_back(text.substr(start, comma - start));
      start = comma + 1;
    }
  }
  return {};
}

Status setFromToml(const Key& k, const toml::node& node) {
  if (auto* s = std::get_if<std::string*>(&k.target)) {
    auto v = node.value<std::string>();
    if (!v || !node.is_string()) return Error::invalid(fullName(k), "expected a string");
    **s = *v;
  } else if (auto* n = std::get_if<int64_t*>(&k.target)) {
    if (!node.is_integer()) return Error::invalid(fullName(k), "expected an integer");
    **n = *node.value<int64_t>();
  } else {
    auto* arr = node.as_array();
    if (!arr) return Error::invalid(fullName(k), "expected an array of strings");
    auto* list = std::get<std::vector<std::string>*>(k.target);
    list->clear();
    for (const auto& item : *arr) {
      if (!item.is_string()) return Error::invalid(fullName(k), "expected an array of strings");
      list->push_back(*item.value<std::string>());
    }
  }
  return {};
}

Status validateBilling(const Config& c) {
  const auto& b = c.billing;
  if (b.currency.size() != 3 ||
      b.currency.find_first_not_of("abcdefghijklmnopqrstuvwxyz") != std::string::npos)
    return Error::invalid("billing.currency", "must be a lower-case ISO 4217 code such as usd");
  if (b.plans.empty()) return Error::invalid("billing.plans", "at least one plan is required");
  for (const auto& p : b.plans) {
    auto plan = core::billing::parsePlan(p);
    if (!plan.ok()) return Error::invalid("billing.plans", plan.error().message);
  }
  if (b.trial_mailboxes < 0 || b.trial_mailboxes > 1000000)
    return Error::invalid("billing.trial_mailboxes", "must be between 0 and 1000000");
  if (b.trial_storage_mib < 0) return Error::invalid("billing.trial_storage_mib", "must be >= 0");
  if (b.wallet_first != 0 && b.wallet_first != 1)
    return Error::invalid("billing.wallet_first", "must be 0 or 1");
  if (b.retry_hours.empty() || b.retry_hours.size() > 30)
    return Error::invalid("billing.retry_hours", "must list 1 to 30 delays in hours");
  for (const auto& h : b.retry_hours)
    if (h.empty() || h.size() > 5 || h.find_first_not_of("0123456789") != std::string::npos)
      return Error::invalid("billing.retry_hours", "entries are whole hours, got '" + h + "'");
  if (b.renewal_notice_days < 0 || b.renewal_notice_days > 60)
    return Error::invalid("billing.renewal_notice_days", "must be between 0 and 60");
  if (b.invoice_prefix.empty() || b.invoice_prefix.size() > 10 ||
      b.invoice_prefix.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") !=
          std::string::npos)
    return Error::invalid("billing.invoice_prefix", "1 to 10 upper-case letters or digits");
  if (b.seller_country.size() != 2)
    return Error::invalid("billing.seller_country", "must be an ISO 3166 alpha-2 code");
  if (b.fraud_topups_per_hour < 1 || b.fraud_declines_per_day < 1 || b.fraud_first_topup_limit < 1)
    return Error::invalid("billing.fraud_topups_per_hour", "fraud thresholds must be >= 1");
  if (b.trial_credit < 0 || b.trial_credit > 100000000)
    return Error::invalid("billing.trial_credit", "must be between 0 and 100000000 minor units");
  for (const auto& d : b.disposable_email_domains)
    if (d.empty() || d.size() > 253 || d.find('.') == std::string::npos)
      return Error::invalid("billing.disposable_email_domains",
                            "entries are domain names, got '" + d + "'");
  return {};
}

Status validate(const Config& c) {
  auto positive = [](const char* name, int64_t v, int64_t max) -> Status {
    if (v < 1 || v > max)
      return Error::invalid(name, "must be between 1 and " + std::to_string(max));
    return {};
  };
  MJ_TRY(positive("storage.pool_size", c.storage.pool_size, 256));
  MJ_TRY(positive("http.max_connections", c.http.max_connections, 1000000));
  MJ_TRY(positive("http.io_threads", c.http.io_threads, 256));
  MJ_TRY(positive("http.worker_threads", c.http.worker_threads, 1024));
  MJ_TRY(positive("security.session_idle_minutes", c.security.session_idle_minutes, 100000));
  MJ_TRY(positive("security.session_absolute_hours", c.security.session_absolute_hours, 10000));
  MJ_TRY(positive("security.login_max_failures", c.security.login_max_failures, 100));
  MJ_TRY(positive("security.login_window_minutes", c.security.login_window_minutes, 1440));
  MJ_TRY(positive("security.rate_limit_per_minute", c.security.rate_limit_per_minute, 10000000));
  MJ_TRY(positive("privacy.legal_retention_years", c.privacy.legal_retention_years, 100));
  for (const auto& e : c.privacy.legal_retention_by_country) {
    auto colon = e.find(':');
    bool ok = colon == 2 && std::isupper(static_cast<unsigned char>(e[0])) &&
              std::isupper(static_cast<unsigned char>(e[1])) && e.size() > 3 && e.size() <= 6;
    for (size_t i = 3; ok && i < e.size(); ++i) ok = std::isdigit(static_cast<unsigned char>(e[i]));
    if (!ok || std::stoll(e.substr(3)) < 1 || std::stoll(e.substr(3)) > 100)
      return Error::invalid(
          "privacy.legal_retention_by_country",
          "expected COUNTRY:YEARS entries like DE:10,NL:7 (1 to 100 years), got '" + e + "'");
  }
  MJ_TRY(positive("privacy.workspace_grace_days", c.privacy.workspace_grace_days, 3650));
  MJ_TRY(positive("privacy.export_valid_days", c.privacy.export_valid_days, 365));
  MJ_TRY(positive("delivery.port", c.delivery.port, 65535));
  MJ_TRY(positive("mail.mailbox_quota_mb", c.mail.mailbox_quota_mb, int64_t(1) << 30));
  MJ_TRY(positive("delivery.max_age_hours", c.delivery.max_age_hours, 24 * 30));
  MJ_TRY(positive("delivery.first_retry_seconds", c.delivery.first_retry_seconds, 86400));
  MJ_TRY(positive("delivery.concurrency", c.delivery.concurrency, 1000));
  MJ_TRY(positive("smtp.max_message_size", c.smtp.max_message_size, int64_t(1) << 30));
  MJ_TRY(positive("smtp.max_recipients", c.smtp.max_recipients, 10000));
  MJ_TRY(positive("smtp.max_connections", c.smtp.max_connections, 1000000));
  MJ_TRY(positive("smtp.max_connections_per_ip", c.smtp.max_connections_per_ip, 1000000));
  if (c.mail.send_outbox != 0 && c.mail.send_outbox != 1)
    return Error::invalid("mail.send_outbox", "must be 0 or 1");
  MJ_TRY(core::platformSender(c.mail.platform_from, c.platform.name, c.platform.public_url,
                              c.platform.mail_hostname));
  if (c.smtp.allow_plaintext_auth != 0 && c.smtp.allow_plaintext_auth != 1)
    return Error::invalid("smtp.allow_plaintext_auth", "must be 0 or 1");
  if (c.security.password_hash_mem_kib < 19 * 1024 && c.security.password_hash_ops < 2)
    return Error::invalid("security.password_hash_mem_kib", "below the OWASP ASVS Argon2id floor");
  if (c.security.password_hash_mem_kib < 8)
    return Error::invalid("security.password_hash_mem_kib", "too small");
  if (c.billing.provider != "sandbox" && c.billing.provider != "stripe")
    return Error::invalid("billing.provider", "must be sandbox or stripe");
  if (c.billing.provider == "stripe" && c.billing.stripe_secret_key.empty())
    return Error::invalid("billing.stripe_secret_key", "is required with provider stripe");
  if (!c.billing.stripe_api_base.starts_with("https://"))
    return Error::invalid("billing.stripe_api_base", "must be an https:// URL");
  if (c.billing.stripe_timeout_ms < 100 || c.billing.stripe_timeout_ms > 120000)
    return Error::invalid("billing.stripe_timeout_ms", "must be between 100 and 120000");
  MJ_TRY(validateBilling(c));
  if (c.registrar.provider != "sandbox")
    return Error::invalid("registrar.provider", "must be sandbox");
  MJ_TRY(positive("dns.udp_threads", c.dns.udp_threads, 64));
  for (const auto& p : c.registrar.tld_prices) {
    auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0 ||
        p.find_first_not_of("0123456789", eq + 1) != std::string::npos || eq + 1 == p.size())
      return Error::invalid("registrar.tld_prices",
                            "entries must look like com=1200, got '" + p + "'");
  }
  if (c.platform.nameservers.empty())
    return Error::invalid("platform.nameservers", "at least one nameserver is required");
  return {};
}

}  // namespace

void Config::finish() {
  if (platform.secret_key_file.empty())
    platform.secret_key_file = platform.data_dir + "/secret.key";
  if (storage.url.empty()) storage.url = "sqlite:" + platform.data_dir + "/mailjuke.db";
  if (smtp.tls_cert_file.empty()) smtp.tls_cert_file = platform.data_dir + "/tls/cert.pem";
  if (smtp.tls_key_file.empty()) smtp.tls_key_file = platform.data_dir + "/tls/key.pem";
}

std::map<std::string, std::string> environmentMap() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos) out[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return out;
}

Result<Config> loadConfig(const std::string& path, const std::map<std::string, std::string>& env) {
  Config c;
  auto keys = keysOf(c);
  if (!path.empty()) {
    toml::table table;
    try {
      table = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
      return Error::invalid("config", std::string("cannot parse ") + path + ": " +
                                          std::string(e.description()) + " at line " +
                                          std::to_string(e.source().begin.line));
    }
    for (auto& [section, value] : table) {
      auto* sub = value.as_table();
      if (!sub)
        return Error::invalid(std::string(section.str()), "unknown key (expected a [section])");
      for (auto& [name, node] : *sub) {
        const Key* found = nullptr;
        for (const auto& k : keys)
          if (section.str() == k.section && name.str() == k.name) found = &k;
        if (!found)
          return Error::invalid(std::string(section.str()) + "." + std::string(name.str()),
                                "unknown key");
        MJ_TRY(setFromToml(*found, node));
      }
    }
  }
  // MAILJUKE_<SECTION>_<KEY>: only variables naming a known section are config; others (for
  // example MAILJUKE_BIN used by scripts) are not ours.
  for (const auto& [var, value] : env) {
    if (var.rfind("MAILJUKE_", 0) != 0) continue;
    std::string rest = var.substr(9);
    bool section_known = false;
    const Key* found = nullptr;
    for (const auto& k : keys) {
      std::string sec = k.section;
      for (auto& ch : sec) ch = char(std::toupper(ch));
      if (rest.rfind(sec + "_", 0) != 0) continue;
      section_known = true;
      std::string name = k.name;
      for (auto& ch : name) ch = char(std::toupper(ch));
      if (rest == sec + "_" + name) found = &k;
    }
    if (!section_known) continue;
    if (!found) return Error::invalid(var, "unknown configuration key");
    MJ_TRY(setFromText(*found, value));
  }
  c.finish();
  MJ_TRY(validate(c));
  return c;
}

}  // namespace mailjuke::app
