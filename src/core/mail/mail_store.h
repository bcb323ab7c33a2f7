// The shared mail store: message metadata in SQL (folders, UIDs, flags, sizes, dates) and bodies
// in the BlobStore; the outbound queue lives in the same database so one commit makes a message
// durable everywhere it goes. SMTP answers 250 only after accept() returned ok.
//
// Thread-safety: safe from any thread; accept() blocks (fsync, SQL) — worker pool only.
// Concurrent accept() calls are group-committed: one transaction (and one fsync) for a batch.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/context.h"
#include "core/mail/blob_store.h"
#include "core/mail/mail_changes.h"

namespace mailjuke::core {

struct LocalDelivery {
  std::string mailbox_id;
  std::string folder = "INBOX";    // folder name of that mailbox
  std::vector<std::string> flags;  // e.g. "\\Seen" for the Sent copy
  bool count_received = true;      // counts toward the mailbox's "received" counter
};

struct AcceptedMessage {
  std::string content;                           // final bytes as stored, CRLF line ends
  std::string envelope_from;                     // "" = null sender (bounces)
  std::vector<LocalDelivery> local;              // hosted recipients, Sent copies
  std::vector<std::string> remote_recipients;    // queued for delivery, grouped by domain
  std::optional<std::string> sender_mailbox_id;  // submissions: counts as one sent message
  int64_t daily_limit = 0;  // > 0 with a sender: kRateLimited when sent today would exceed it
  int64_t received_at = 0;  // unix seconds (INTERNALDATE)
  // Runs inside the transaction that stores the message, after its rows, with the id accept()
  // returns; an error undoes this message (e.g. the outbox row it comes from changes state in
  // the same commit: exactly once).
  std::function<Status(store::Tx&, const std::string& id)> in_transaction;
};

struct MailCounters {
  int64_t sent_today = 0;
  int64_t bounced_today = 0;
  int64_t received_today = 0;
};

class MailStore {
 public:
  MailStore(CoreContext& ctx, BlobStore& blobs);
  ~MailStore();

  // Stores the blob, the local deliveries, the outbound queue entries and the counters; durable
  // when it returns ok. Returns an id for the reply ("250 2.0.0 Ok: queued as <id>").
  Result<std::string> accept(const AcceptedMessage& message);
  // Bytes of the messages in every folder of the mailbox (quota usage, RFC 9208 STORAGE).
  Result<int64_t> usedBytes(const std::string& mailbox_id);
  Result<MailCounters> counters(const std::string& mailbox_id, int64_t now);
  // Today's (UTC) counters of every mailbox that has any, by mailbox id (for /metrics).
  Result<std::vector<std::pair<std::string, MailCounters>>> countersOfDay(int64_t now);
  // Deletes blob files no message or queue entry references any more; returns how many.
  Result<int64_t> collectGarbage();

  BlobStore& blobs() { return blobs_; }
  // Signalled after each committed change of a mailbox (IMAP IDLE, untagged updates).
  MailChanges& changes() { return changes_; }

  // Group-commit statistics (tests, metrics): write transactions committed and messages in them.
  struct Stats {
    int64_t transactions = 0;
    int64_t messages = 0;
  };
  Stats stats() const;
  // Blob files younger than this are never collected (written, not yet committed). Default 10 min.
  void setGarbageGraceSeconds(int64_t seconds) { gc_grace_seconds_ = seconds; }
  // expires_at of new queue entries = now + this. Default 5 days.
  void setQueueMaxAgeSeconds(int64_t seconds) { queue_max_age_seconds_ = seconds; }

 private:
  struct Committer;
  CoreContext& ctx_;
  BlobStore& blobs_;
  std::unique_ptr<Committer> committer_;
  MailChanges changes_;
  int64_t gc_grace_seconds_ = 600;
  int64_t queue_max_age_seconds_ = 5 * 86400;
};

}  // namespace mailjuke::core
