// The outbound queue (mail_queue rows written by MailStore::accept): claiming due entries with a
// lease, the outcome of an attempt (delivered, deferred with exponential backoff, failed), crash
// recovery, and the operator's list/retry/delete.
//
// Thread-safety: safe from any thread; every method blocks (SQL) — worker pool only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/context.h"
#include "core/pagination.h"

namespace mailjuke::core {

struct QueueEntry {
  std::string id;
  std::string message_id;
  std::string blob_id;
  std::string envelope_from;  // "" = null sender
  std::optional<std::string> sender_mailbox_id;
  std::string domain;
  std::vector<std::string> recipients;
  std::string status;  // queued | delivering
  int64_t attempts = 0;
  int64_t next_attempt_at = 0;
  int64_t expires_at = 0;
  std::optional<std::string> last_error;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct QueueFilter {
  std::optional<std::string> status;
  std::optional<std::string> domain;
};

struct BackoffPolicy {
  int64_t first_retry_seconds = 60;
  int64_t max_retry_seconds = 4 * 3600;
};

// first_retry × 2^attempts, capped (attempts = failed attempts before this one).
int64_t backoffSeconds(const BackoffPolicy& policy, int64_t attempts);

class MailQueue {
 public:
  explicit MailQueue(CoreContext& ctx, BackoffPolicy policy = {});

  // Crash recovery at start: every 'delivering' entry goes back to 'queued', due now.
  Result<int64_t> recover();
  // Takes up to `limit` due entries (queued, next_attempt_at ≤ now, or delivering whose lease
  // expired) and marks them delivering with a lease until now + lease_seconds.
  Result<std::vector<QueueEntry>> claimDue(size_t limit, int64_t lease_seconds = 600);
  // The entry is done (all recipients delivered or bounced): the row is deleted.
  Status markDelivered(const std::string& id);
  // Temporary failure: attempts+1, next attempt after the backoff; `recipients` (when non-empty)
  // narrows the entry to the recipients still pending.
  Status defer(const std::string& id, const std::string& error,
               const std::vector<std::string>& recipients = {});
  // Permanent failure or expiry (the caller has sent the DSN): the row is deleted.
  Status fail(const std::string& id, const std::string& error);

  Result<std::optional<QueueEntry>> get(const std::string& id);
  Result<Page> list(const QueueFilter& filter, const PageRequest& page);
  // Operator: next attempt now (status queued). kNotFound for an unknown id.
  Status retryNow(const std::string& id);
  Status remove(const std::string& id);
  // Entries per status (queued, delivering), for /metrics.
  Result<std::vector<std::pair<std::string, int64_t>>> countByStatus();

 private:
  CoreContext& ctx_;
  BackoffPolicy policy_;
};

Json queueEntryJson(const QueueEntry& e);

}  // namespace mailjuke::core
