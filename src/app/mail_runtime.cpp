#include "app/mail_runtime.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "base/encoding.h"

namespace mailjuke::app {
namespace {

smtp::SmtpServerOptions smtpOptions(const Config& c) {
  smtp::SmtpServerOptions o;
  o.mx_listen = c.smtp.mx_listen;
  o.submission_listen = c.smtp.submission_listen;
  o.submissions_listen = c.smtp.submissions_listen;
  o.hostname = c.platform.mail_hostname;
  o.tls_cert_file = c.smtp.tls_cert_file;
  o.tls_key_file = c.smtp.tls_key_file;
  o.max_message_bytes = size_t(c.smtp.max_message_size);
  o.max_recipients = size_t(c.smtp.max_recipients);
  o.max_connections = size_t(c.smtp.max_connections);
  o.max_connections_per_ip = size_t(c.smtp.max_connections_per_ip);
  o.allow_plaintext_auth_on_loopback = c.smtp.allow_plaintext_auth == 1;
  return o;
}

imap::ImapServerOptions imapOptions(const Config& c) {
  imap::ImapServerOptions o;
  o.listen = c.imap.listen;
  o.imaps_listen = c.imap.imaps_listen;
  o.hostname = c.platform.mail_hostname;
  o.tls_cert_file = c.smtp.tls_cert_file;  // one certificate for the mail host
  o.tls_key_file = c.smtp.tls_key_file;
  o.max_connections = size_t(c.imap.max_connections);
  o.max_connections_per_ip = size_t(c.imap.max_connections_per_ip);
  o.max_connections_per_user = size_t(c.imap.max_connections_per_user);
  o.allow_plaintext_auth_on_loopback = c.imap.allow_plaintext_auth == 1;
  return o;
}

delivery::DeliveryOptions deliveryOptions(const Config& c) {
  delivery::DeliveryOptions o;
  o.hostname = c.platform.mail_hostname;
  o.relay = c.delivery.relay;
  o.port = uint16_t(c.delivery.port);
  o.max_age_seconds = c.delivery.max_age_hours * 3600;
  o.first_retry_seconds = c.delivery.first_retry_seconds;
  o.concurrency = size_t(c.delivery.concurrency);
  return o;
}

// The platform sender's address, lower case (bounces of platform e-mail come back to it).
std::string platformAddress(const Config& c) {
  auto sender = core::platformSender(c.mail.platform_from, c.platform.name, c.platform.public_url,
                                     c.platform.mail_hostname);
  return sender.ok() ? toLowerAscii(sender->address) : std::string();
}

}  // namespace

MailRuntime::MailRuntime(const Config& config, core::CoreContext& ctx, net::Runtime& runtime)
    : blobs_(config.platform.data_dir + "/blobs"),
      store_(ctx, blobs_),
      directory_(ctx),
      resolver_(core::mailauth::makeStubResolver(config.delivery.resolver)),
      intake_(ctx, directory_, store_, *resolver_,
              {config.platform.mail_hostname,
               [this](const std::string& id) { return mailboxQuotaBytes(id); },
               platformAddress(config)}),
      backend_(intake_, directory_, [this] { delivery_.kick(); }),
      smtp_(runtime, smtpOptions(config), backend_),
      delivery_(runtime, deliveryOptions(config), ctx, store_, directory_, *resolver_),
      imap_store_(ctx, store_),
      imap_backend_(directory_, imap_store_,
                    [this](const std::string& id) { return mailboxQuotaBytes(id); }),
      imap_(runtime, imapOptions(config), imap_backend_),
      mailbox_quota_mb_(config.mail.mailbox_quota_mb),
      plan_storage_(ctx) {
  if (config.mail.send_outbox == 1) {
    // The configuration was validated at load: platformSender cannot fail here.
    auto sender = core::platformSender(config.mail.platform_from, config.platform.name,
                                       config.platform.public_url, config.platform.mail_hostname);
    core::OutboxSenderOptions o;
    if (sender.ok()) {
      o.from_name = sender->name;
      o.from_address = sender->address;
    }
    outbox_ = std::make_unique<core::OutboxSender>(ctx, directory_, store_, o);
  }
  // Several nodes may share a PostgreSQL database; SQLite is one node's file.
  if (ctx.db.dialect() == store::Dialect::kPostgres)
    remote_changes_ = std::make_unique<core::RemoteChanges>(ctx, store_.changes());
}

void MailRuntime::pollRemoteChanges() {
  if (!remote_changes_ || !imap_started_) return;
  if (auto n = remote_changes_->pollOnce(); !n.ok())
    spdlog::warn("imap: polling other nodes' mailbox changes failed: {}", n.error().message);
}

void MailRuntime::sendOutbox() {
  if (!outbox_) return;
  // Full batches (a marketing send) are followed by more passes, for up to 2 s per tick.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  for (;;) {
    auto run = outbox_->runOnce();
    if (!run.ok()) {
      spdlog::warn("outbox: pass failed: {}", run.error().message);
      return;
    }
    if (run->queued) delivery_.kick();
    if (run->queued || run->suppressed || run->failed || run->retried || run->expired)
      spdlog::info("outbox: queued {}, suppressed {}, retried {}, failed {}, expired {}",
                   run->queued, run->suppressed, run->retried, run->failed, run->expired);
    if (run->claimed < int64_t(outbox_->options().batch) ||
        std::chrono::steady_clock::now() > deadline)
      return;
  }
}

int64_t MailRuntime::mailboxQuotaBytes(const std::string& mailbox_id) {
  int64_t cap = mailbox_quota_mb_ * 1024 * 1024;
  auto account = directory_.findById(mailbox_id);
  if (!account) return cap;
  auto plan = plan_storage_.bytesPerMailbox(account->workspace_id);
  return plan && *plan > 0 ? std::min(cap, *plan) : cap;
}

Status MailRuntime::startSmtp(Json& listeners) {
  MJ_TRY_ASSIGN(auto bound, smtp_.start());
  for (auto& [name, address] : bound.items()) listeners[name] = address;
  smtp_started_ = true;
  return {};
}

Status MailRuntime::startImap(Json& listeners) {
  MJ_TRY_ASSIGN(auto bound, imap_.start());
  for (auto& [name, address] : bound.items()) listeners[name] = address;
  imap_started_ = true;
  return {};
}

void MailRuntime::stop() {
  if (smtp_started_) smtp_.shutdown(std::chrono::seconds(2));
  if (imap_started_) imap_.shutdown(std::chrono::seconds(2));
  delivery_.stop();
}

}  // namespace mailjuke::app
