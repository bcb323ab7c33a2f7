// Delivers the outbox (core/notify/outbox.h): each pending row becomes an RFC 5322 message from
// the platform sender (email_message.h), DKIM-signed when the sender's domain is hosted here and
// has a key, and goes through MailStore::accept like a submission — hosted recipients into their
// INBOX, others into the outbound queue the delivery worker sends (MX or `[delivery] relay`).
//
// Exactly once, also with several nodes on one PostgreSQL: a pass claims rows with a conditional
// update (status pending → sending, a random claim token, a lease until claimed_until; SKIP
// LOCKED on PostgreSQL), and the row becomes 'queued' (queue_id, sent_at) inside the very
// transaction that stores the message, only while the claim token is still ours. A node that
// dies holding rows loses them to another node when the lease ends; its late commit then fails.
// Marketing rows are checked against the suppression list right before they are enqueued.
//
// Thread-safety: one pass at a time per instance (the job runner's thread); blocks on SQL, fsync;
// a pass sends its rows on up to `parallel` short-lived threads.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "core/context.h"
#include "core/mail/mail_store.h"
#include "core/mailboxes/mail_directory.h"

namespace mailjuke::core {

struct OutboxSenderOptions {
  std::string from_name = "MailJuke";
  std::string from_address = "no-reply@mailjuke.test";
  size_t batch = 50;  // rows per pass
  // Rows of a pass sent in parallel: their accepts share the mail store's group commit (one
  // transaction and fsync for many messages) instead of one each.
  size_t parallel = 8;
  int64_t lease_seconds = 300;          // a claim this old is taken over by another node
  int64_t max_attempts = 8;             // failed attempts before the row is 'failed'
  int64_t first_retry_seconds = 30;     // doubles per failed attempt
  int64_t max_age_seconds = 3 * 86400;  // older pending rows are 'expired', never sent
};

struct OutboxRun {
  int64_t claimed = 0;     // rows this pass took (== batch: more may be due)
  int64_t queued = 0;      // handed to the mail store (local INBOX or outbound queue)
  int64_t suppressed = 0;  // marketing to a suppressed address: dropped
  int64_t retried = 0;     // failed this time, tried again later
  int64_t failed = 0;      // given up (bad address, too many attempts)
  int64_t expired = 0;     // older than max_age when first seen
};

class OutboxSender {
 public:
  OutboxSender(CoreContext& ctx, MailDirectory& directory, MailStore& store,
               OutboxSenderOptions options);

  // One pass over up to `batch` due rows.
  Result<OutboxRun> runOnce();

  const OutboxSenderOptions& options() const { return options_; }

 private:
  struct Row {
    std::string id, kind, to, subject, text, html, headers;
    int64_t attempts = 0;
    int64_t created_at = 0;
  };
  Result<std::vector<Row>> claim(const std::string& token, int64_t now);
  Status sendOne(const Row& row, const std::string& token, int64_t now, OutboxRun& run);
  // Ends the claim with a final status (suppressed, failed, expired).
  Status finish(const Row& row, const std::string& token, const char* status,
                const std::string& error, int64_t now);
  Status retryLater(const Row& row, const std::string& token, const std::string& error, int64_t now,
                    OutboxRun& run);

  CoreContext& ctx_;
  MailDirectory& directory_;
  MailStore& store_;
  OutboxSenderOptions options_;
};

// The platform sender when `[mail] platform_from` is empty: "<name> <no-reply@host>", host being
// public_url's host when it is a domain name, else mail_hostname. Splits "Name <addr>" too.
struct PlatformSender {
  std::string name;
  std::string address;
};
Result<PlatformSender> platformSender(const std::string& configured, const std::string& name,
                                      const std::string& public_url,
                                      const std::string& mail_hostname);

}  // namespace mailjuke::core
