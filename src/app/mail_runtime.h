// The mail half of `mailjuke serve`: the mail store, the mailbox directory, the intake policy,
// the SMTP and IMAP listeners and the outbound delivery worker, built from the configuration and
// started/stopped together.
#pragma once

#include <memory>

#include "app/config.h"
#include "app/imap_backend.h"
#include "app/mail_backend.h"
#include "base/json.h"
#include "core/billing/storage_quota.h"
#include "core/mail/blob_store.h"
#include "core/mail/imap_store.h"
#include "core/mail/intake.h"
#include "core/mail/mail_store.h"
#include "core/mail/outbox_sender.h"
#include "core/mail/remote_changes.h"
#include "core/mailauth/resolver.h"
#include "core/mailboxes/mail_directory.h"
#include "net/runtime.h"
#include "server/delivery/delivery_worker.h"
#include "server/imap/imap_server.h"
#include "server/smtp/smtp_server.h"

namespace mailjuke::app {

class MailRuntime {
 public:
  MailRuntime(const Config& config, core::CoreContext& ctx, net::Runtime& runtime);

  // Binds the SMTP listeners; adds their addresses to `listeners`.
  Status startSmtp(Json& listeners);
  // Binds the IMAP listeners ("imap", "imaps"); adds their addresses to `listeners`.
  Status startImap(Json& listeners);
  void startDelivery() { delivery_.start(); }
  // One pass of the outbox sender (job runner thread; blocks on SQL): pending platform e-mail
  // into local INBOXes or the outbound queue, then wakes the delivery worker. No-op when
  // `[mail] send_outbox = 0`.
  void sendOutbox();
  // IMAP sessions hear of other nodes' changes (core/mail/remote_changes.h): one poll (job
  // runner thread; blocks on SQL). No-op on SQLite (one node) or without the IMAP listeners.
  void pollRemoteChanges();
  void stop();

  core::BlobStore& blobs() { return blobs_; }
  core::MailStore& store() { return store_; }
  core::MailDirectory& directory() { return directory_; }
  smtp::SmtpServer& smtp() { return smtp_; }
  imap::ImapServer& imap() { return imap_; }
  // The storage limit of a mailbox in bytes (IMAP QUOTA, APPEND, delivery): the workspace plan's
  // storage per mailbox, capped by the operator's `[mail] mailbox_quota_mb`. Blocks on SQL.
  int64_t mailboxQuotaBytes(const std::string& mailbox_id);

 private:
  core::BlobStore blobs_;
  core::MailStore store_;
  core::MailDirectory directory_;
  std::unique_ptr<core::mailauth::Resolver> resolver_;
  core::MailIntake intake_;
  MailBackend backend_;
  smtp::SmtpServer smtp_;
  delivery::DeliveryWorker delivery_;
  core::ImapStore imap_store_;
  ImapStoreBackend imap_backend_;
  imap::ImapServer imap_;
  std::unique_ptr<core::OutboxSender> outbox_;           // null when [mail] send_outbox = 0
  std::unique_ptr<core::RemoteChanges> remote_changes_;  // PostgreSQL only
  int64_t mailbox_quota_mb_;
  core::billing::StorageQuota plan_storage_;
  bool smtp_started_ = false;
  bool imap_started_ = false;
};

}  // namespace mailjuke::app
