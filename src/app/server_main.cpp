#include "app/server_main.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "app/bootstrap.h"
#include "app/mail_metrics.h"
#include "app/mail_runtime.h"
#include "app/payment_providers.h"
#include "app/zone_sync.h"
#include "base/crypto.h"
#include "base/encoding.h"
#include "base/json.h"
#include "core/accounts/account_service.h"
#include "core/domains/domain_bulk.h"
#include "core/domains/forward_map.h"
#include "core/domains/registrar.h"
#include "core/jobs/job_runner.h"
#include "core/jobs/job_service.h"
#include "core/mail/mail_queue.h"
#include "core/mailboxes/mailbox_bulk.h"
#include "core/mailboxes/mailbox_service.h"
#include "core/privacy/policy.h"
#include "core/privacy/privacy_service.h"
#include "core/privacy/retention.h"
#include "core/workspaces/workspace_service.h"
#include "net/runtime.h"
#include "server/dns/dns_server.h"
#include "server/http/api/api.h"
#include "server/http/http_server.h"

namespace mailjuke::app {
namespace {

// "smtp.mx_listen: expected host:port, got bogus": errors name the setting that is wrong.
std::string withField(const Error& e) {
  return (e.fields.empty() ? "" : e.fields.front().field + ": ") + e.message;
}

int report(const Error& e) {
  std::cerr << "mailjuke: " << withField(e) << "\n";
  return e.code == ErrorCode::kInvalid ? 2 : 1;
}

// Writes <data_dir>/listeners.json atomically (tests and operators read it).
void writeListeners(const Config& c, const Json& listeners) {
  std::string path = c.platform.data_dir + "/listeners.json";
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << listeners.dump(2) << "\n";
  }
  std::filesystem::rename(tmp, path);
}

// "https://host:port/path" → "host:port".
std::string publicHost(const std::string& url) {
  auto start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  return url.substr(start, url.find('/', start) - start);
}

std::string generatedPassword() {
  // 24 characters from a 32-symbol alphabet: 120 bits.
  return toLowerAscii(base32Encode(crypto::randomBytes(15)));
}

}  // namespace

int migrateOnly(const Config& config) {
  auto b = bootstrap(config);
  if (!b.ok()) return report(b.error());
  std::cout << "database is up to date\n";
  return 0;
}

int createOperator(const Config& config, const std::string& email, const std::string& password) {
  auto b = bootstrap(config);
  if (!b.ok()) return report(b.error());
  core::AccountService accounts(*(*b)->ctx);
  auto id = accounts.createOperator(email, password, "Operator");
  if (!id.ok()) return report(id.error());
  std::cout << "created operator " << email << " (" << *id << ")\n";
  return 0;
}

int resetPassword(const Config& config, const std::string& email, const std::string& password) {
  auto b = bootstrap(config);
  if (!b.ok()) return report(b.error());
  core::AccountService accounts(*(*b)->ctx);
  auto st = accounts.setPassword(email, password);
  if (!st.ok()) return report(st.error());
  std::cout << "password changed for " << email << "; all of its sessions were ended\n";
  return 0;
}

int zoneExport(const Config& config, const std::string& domain) {
  auto b = bootstrap(config);
  if (!b.ok()) return report(b.error());
  auto registrar = core::makeSandboxRegistrar({});
  core::DomainService domains(*(*b)->ctx, *registrar);
  auto text = domains.zoneTextByName(domain);
  if (!text.ok()) return report(text.error());
  std::cout << *text << std::flush;
  return 0;
}

int serve(const Config& config, const std::string& only) {
  // Block the shutdown signals in every thread; the main thread waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  auto boot = bootstrap(config);
  if (!boot.ok()) return report(boot.error());
  auto& b = **boot;
  core::AccountService accounts(*b.ctx);
  core::WorkspaceService workspaces(*b.ctx);
  std::map<std::string, int64_t> prices;
  for (const auto& p : config.registrar.tld_prices)
    prices[p.substr(0, p.find('='))] = std::stoll(p.substr(p.find('=') + 1));
  auto registrar = core::makeSandboxRegistrar(prices);
  core::DomainService domains(*b.ctx, *registrar);
  core::JobService jobs(*b.ctx);
  core::JobRunner job_runner(std::chrono::milliseconds(250));
  core::DomainBulk domain_bulk(*b.ctx, domains, jobs, job_runner);
  core::ForwardMap forwards(core::hostOnly(publicHost(config.platform.public_url)));
  if (auto st = forwards.refresh(domains); !st.ok()) return report(st.error());
  // The mail half: store, directory, intake, SMTP listeners and the delivery worker.
  net::Runtime runtime(int(config.http.io_threads), int(config.http.worker_threads));
  MailRuntime mail(config, *b.ctx, runtime);
  if (auto st = mail.directory().refresh(); !st.ok()) return report(st.error());
  core::MailboxService mailboxes(*b.ctx, &mail.directory());
  core::MailboxBulk mailbox_bulk(*b.ctx, mailboxes, jobs, job_runner);
  core::MailQueue mail_queue(*b.ctx);
  core::privacy::PrivacySettings privacy_settings;
  privacy_settings.legal_retention_years = config.privacy.legal_retention_years;
  for (const auto& entry : config.privacy.legal_retention_by_country) {
    auto colon = entry.find(':');  // validated by the config loader: "DE:10"
    privacy_settings.legal_retention_by_country[entry.substr(0, colon)] =
        std::stoll(entry.substr(colon + 1));
  }
  privacy_settings.workspace_grace_days = config.privacy.workspace_grace_days;
  privacy_settings.export_valid_days = config.privacy.export_valid_days;
  privacy_settings.export_dir = config.platform.data_dir + "/exports";
  privacy_settings.blob_dir = config.platform.data_dir + "/blobs";  // as MailRuntime's
  privacy_settings.policy_file = config.privacy.policy_file;
  privacy_settings.dpa_version = config.privacy.dpa_version;
  core::privacy::PrivacyService privacy(*b.ctx, privacy_settings, accounts, &job_runner);
  if (auto st = core::privacy::seedPolicy(*b.ctx, privacy_settings.policy_file); !st.ok())
    return report(st.error());
  auto payments = makePaymentProvider(config);
  core::billing::BillingService billing(*b.ctx, *payments);
  billing.setRegistrar(registrar.get());  // domain renewals go through the registrar

  auto has_operator = accounts.anyOperatorExists();
  if (!has_operator.ok()) return report(has_operator.error());
  if (!*has_operator) {
    std::string password = generatedPassword();
    auto id = accounts.createOperator(config.platform.operator_email, password, "Operator");
    if (!id.ok()) return report(id.error());
    std::cout << "First start: created the operator account.\n  e-mail:   "
              << config.platform.operator_email << "\n  password: " << password
              << "   (shown once; change it after signing in)\n"
              << std::flush;
  }

  auto wants = [&](const char* role) {
    return only.empty() || only.find(role) != std::string::npos;
  };
  api::Api api(
      {config.platform.public_url, config.http.web_root, config.security.rate_limit_per_minute},
      {*b.ctx, accounts, workspaces, domains, jobs, domain_bulk, forwards, mailboxes, mailbox_bulk,
       mail_queue, privacy, billing});
  server::HttpServerOptions http_opts;
  http_opts.listen = config.http.listen;
  http_opts.max_connections = size_t(config.http.max_connections);
  server::HttpServer http(runtime, http_opts, api);
  api.metrics().addGauge("mailjuke_http_open_connections", "Open HTTP connections",
                         [&http] { return double(http.openConnections()); });
  api.metrics().addGauge("mailjuke_smtp_open_connections", "Open SMTP connections",
                         [&mail] { return double(mail.smtp().openConnections()); });
  api.metrics().addGauge("mailjuke_imap_open_connections", "Open IMAP connections",
                         [&mail] { return double(mail.imap().openConnections()); });
  api.metrics().addCollector(
      [&] { return renderMailMetrics(mail.store(), mail_queue, b.ctx->clock); });
  api.metrics().addGauge("mailjuke_db_pool_size", "Database connections in the pool",
                         [&b] { return double(b.db->poolSize()); });
  api.metrics().addGauge("mailjuke_db_pool_in_use", "Database connections in use",
                         [&b] { return double(b.db->poolInUse()); });

  dns::DnsServerOptions dns_opts;
  dns_opts.listen = config.dns.listen;
  dns_opts.udp_threads = int(config.dns.udp_threads);
  dns_opts.transfer_allow = config.dns.axfr_allow;
  dns_opts.notify = config.dns.notify;
  auto holder = std::make_shared<dns::SnapshotHolder>(dns::ZoneSet::empty());
  dns::DnsServer dns_server(dns_opts, holder);
  ZoneSync zone_sync(
      domains, [&dns_server](auto snapshot) { dns_server.installSnapshot(std::move(snapshot)); });

  Json listeners = Json::object();
  try {
    if (wants("dns")) {
      if (auto st = zone_sync.start(); !st.ok()) return report(st.error());
      auto bound = dns_server.start();
      if (!bound.ok()) throw std::runtime_error("dns.listen: " + bound.error().message);
      listeners["dns"] = *bound;
    }
    if (wants("http")) listeners["http"] = http.start();
    // Ready-to-paste mailbox settings show the ports actually bound (port 0 in tests).
    auto bound = [&](const std::string& configured, const char* name, int& port) {
      if (!configured.ends_with(":0") || !listeners.contains(name)) return;
      auto text = listeners[name].get<std::string>();
      port = std::stoi(text.substr(text.rfind(':') + 1));
    };
    auto& mail_settings = b.ctx->settings.mail;
    if (wants("smtp")) {
      if (auto st = mail.startSmtp(listeners); !st.ok())
        throw std::runtime_error(withField(st.error()));
      bound(config.smtp.submission_listen, "smtp_submission", mail_settings.submission_port);
      bound(config.smtp.submissions_listen, "smtps", mail_settings.submissions_port);
    }
    if (wants("imap")) {
      if (auto st = mail.startImap(listeners); !st.ok())
        throw std::runtime_error(withField(st.error()));
      bound(config.imap.listen, "imap", mail_settings.imap_port);
      bound(config.imap.imaps_listen, "imaps", mail_settings.imaps_port);
    }
  } catch (const std::exception& e) {
    std::cerr << "mailjuke: cannot listen: " << e.what() << "\n";
    return 1;
  }
  runtime.start();
  if (wants("smtp")) mail.startDelivery();
  int64_t ticks = 0;
  const bool sends_mail = wants("smtp");
  job_runner.setTick([&domains, &forwards, &mail, &billing, &privacy, &ticks, &b, sends_mail] {
    if (auto st = forwards.refresh(domains); !st.ok())
      spdlog::warn("forwarding: reload failed: {}", st.error().message);
    // Other nodes sharing PostgreSQL change mailboxes too: a cheap version check when idle.
    if (auto st = mail.directory().refresh(); !st.ok())
      spdlog::warn("mail directory: reload failed: {}", st.error().message);
    // Platform e-mail (core/mail/outbox_sender.h): every tick (250 ms), on nodes that send mail.
    if (sends_mail) mail.sendOutbox();
    // IDLE across nodes (core/mail/remote_changes.h): every 2 s (8 ticks), PostgreSQL only.
    if (ticks % 8 == 0) mail.pollRemoteChanges();
    auto n = domains.deleteRetiredDkimKeys();
    if (!n.ok())
      spdlog::warn("dkim: cleanup failed: {}", n.error().message);
    else if (*n)
      spdlog::info("dkim: removed {} retired keys", *n);
    // Retention jobs from the data inventory (docs/privacy.md): at start, then hourly.
    if (ticks % 14400 == 0) {
      auto purged = core::privacy::runRetention(*b.ctx, privacy.settings());
      if (!purged.ok())
        spdlog::warn("retention: failed: {}", purged.error().message);
      else
        spdlog::info("retention: {}", purged->dump());
    }
    // Renewals, retries and notices: every ~15 s (4 ticks/s); each step re-checks its row.
    if (ticks % 60 == 0) {
      auto r = billing.runRenewals();
      if (!r.ok())
        spdlog::warn("billing: renewal run failed: {}", r.error().message);
      else if (r->renewed || r->failed || r->canceled || r->recovered)
        spdlog::info("billing: renewed {}, failed {}, recovered {}, canceled {}", r->renewed,
                     r->failed, r->recovered, r->canceled);
      if (r.ok() && (r->domains_renewed || r->domains_failed))
        spdlog::info("billing: domains renewed {}, failed {}", r->domains_renewed,
                     r->domains_failed);
    }
    // Auto top-ups after charges that left a wallet below its threshold: every second.
    if (ticks % 4 == 0) {
      auto n = billing.runAutoTopUps();
      if (!n.ok()) spdlog::warn("billing: auto top-up run failed: {}", n.error().message);
    }
    // Blobs of deleted mailboxes and delivered messages: every ~10 minutes (4 ticks/s).
    if (++ticks % 2400 == 0) {
      auto removed = mail.store().collectGarbage();
      if (!removed.ok())
        spdlog::warn("blobs: garbage collection failed: {}", removed.error().message);
      else if (*removed)
        spdlog::info("blobs: removed {} unreferenced", *removed);
    }
  });
  job_runner.start();
  writeListeners(config, listeners);
  for (auto& [name, addr] : listeners.items())
    spdlog::info("listening: {} on {}", name, addr.get<std::string>());
  if (listeners.contains("http"))
    std::cout << "Dashboard: http://" << listeners["http"].get<std::string>() << "/\n"
              << std::flush;

  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("received signal {}, shutting down", sig);
  mail.stop();  // SMTP sessions answer 421; the delivery worker finishes its transactions
  if (wants("http")) http.shutdown(std::chrono::seconds(6));
  job_runner.stop();
  zone_sync.stop();
  dns_server.stop();
  runtime.stop();
  spdlog::info("stopped");
  return 0;
}

}  // namespace mailjuke::app
