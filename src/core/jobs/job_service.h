// Jobs: long work that answers 202 and is polled at GET /api/v1/jobs/{job} (API.md "Long
// work"). Rows report their own success or failure; the job as a whole succeeds when every row
// was processed.
#pragma once

#include <string>
#include <vector>

#include "base/json.h"
#include "core/access/principal.h"
#include "core/context.h"

namespace mailjuke::core {

class JobService {
 public:
  explicit JobService(CoreContext& ctx) : ctx_(ctx) {}

  // Inserts a queued job inside the caller's transaction and returns its JSON.
  Result<Json> create(store::Tx& tx, const std::string& ws, const std::string& kind, int64_t total);
  // The job if the principal may read its workspace; 404 otherwise.
  Result<Json> get(const Principal& p, const std::string& job);

  Status markRunning(const std::string& job);
  // Appends one row's result ({row, name, ok, …}) and advances progress.
  Status addResult(const std::string& job, const Json& row);
  // Appends several rows in one transaction (bulk jobs report in batches).
  Status addResults(const std::string& job, const std::vector<Json>& rows);
  Status finish(const std::string& job, bool ok);

 private:
  Status setStatus(const std::string& job, const char* status);
  CoreContext& ctx_;
};

Json jobJson(const std::string& id, const std::string& status, int64_t done, int64_t total,
             const Json& results);

}  // namespace mailjuke::core
