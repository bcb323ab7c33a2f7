// Bulk creation of mailboxes as a job (API.md "Mailboxes", "Long work"): people × domains with a
// naming pattern. Addresses are planned per domain by planAddresses() (mailbox_names.h): people
// in order, an address already taken is skipped for the next person, and further rounds append
// 2, 3, … Argon2id hashing runs on several threads and rows are inserted in batches, each batch
// in one transaction, so 1,000 mailboxes take seconds, not minutes.
#pragma once

#include <string>
#include <vector>

#include "core/jobs/job_runner.h"
#include "core/jobs/job_service.h"
#include "core/mailboxes/mailbox_names.h"
#include "core/mailboxes/mailbox_service.h"

namespace mailjuke::core {

inline constexpr size_t kMaxBulkMailboxes = 2000;
inline constexpr size_t kMaxBulkDomainIds = 500;
inline constexpr size_t kMaxBulkPeople = 2000;

struct BulkMailboxInput {
  std::vector<std::string> domain_ids;
  std::vector<Person> people;
  int64_t per_domain = 0;
  std::string pattern;
};

class MailboxBulk {
 public:
  MailboxBulk(CoreContext& ctx, MailboxService& mailboxes, JobService& jobs, JobRunner& runner,
              unsigned hash_threads = 0)
      : ctx_(ctx),
        mailboxes_(mailboxes),
        jobs_(jobs),
        runner_(runner),
        hash_threads_(hash_threads) {}

  // Authorizes, validates (every domain must be the workspace's (404) and active (409)),
  // creates a queued job and hands it to the runner; returns the job JSON (202).
  Result<Json> start(const Principal& p, const std::string& ws, const BulkMailboxInput& in);
  // The job body; public for tests that run it synchronously.
  void run(const Principal& p, const std::string& ws, const std::string& job,
           const BulkMailboxInput& in, NamePattern pattern);

 private:
  struct Planned {
    size_t row = 0;
    std::string domain_id, domain;
    PlannedMailbox plan;
  };
  // Hashes and inserts one batch; returns its result rows.
  std::vector<Json> runBatch(const Principal& p, const std::string& ws, const std::string& job,
                             const BulkMailboxInput& in, const std::vector<Planned>& batch);
  unsigned threads() const;

  CoreContext& ctx_;
  MailboxService& mailboxes_;
  JobService& jobs_;
  JobRunner& runner_;
  unsigned hash_threads_;
};

}  // namespace mailjuke::core
