// Bulk add of domains as a job: every row goes through DomainService::add, so a bad, taken or
// duplicate name fails its own row and never the batch.
#pragma once

#include <string>
#include <vector>

#include "core/domains/domain_service.h"
#include "core/jobs/job_runner.h"
#include "core/jobs/job_service.h"

namespace mailjuke::core {

inline constexpr size_t kMaxBulkDomains = 500;

class DomainBulk {
 public:
  DomainBulk(CoreContext& ctx, DomainService& domains, JobService& jobs, JobRunner& runner)
      : ctx_(ctx), domains_(domains), jobs_(jobs), runner_(runner) {}

  // Authorizes, creates a queued job and hands the rows to the runner; returns the job JSON.
  Result<Json> start(const Principal& p, const std::string& ws,
                     const std::vector<std::string>& names, const std::string& source);

 private:
  void run(const Principal& p, const std::string& ws, const std::string& job,
           const std::vector<std::string>& names, const std::string& source);
  CoreContext& ctx_;
  DomainService& domains_;
  JobService& jobs_;
  JobRunner& runner_;
};

}  // namespace mailjuke::core
