#include "core/jobs/job_service.h"

#include "base/ids.h"
#include "core/workspaces/workspace_service.h"

namespace mailjuke::core {

Json jobJson(const std::string& id, const std::string& status, int64_t done, int64_t total,
             const Json& results) {
  return {{"id", id},
          {"status", status},
          {"progress", {{"done", done}, {"total", total}}},
          {"results_url", "/api/v1/jobs/" + id},
          {"results", results}};
}

Result<Json> JobService::create(store::Tx& tx, const std::string& ws, const std::string& kind,
                                int64_t total) {
  int64_t now = ctx_.clock.nowSeconds();
  std::string id = newId("job");
  MJ_TRY(
      tx.exec("INSERT INTO jobs (id, workspace_id, kind, status, total, done, results, created_at, "
              "updated_at) VALUES (?,?,?,'queued',?,0,'[]',?,?)",
              {id, ws, kind, total, now, now}));
  return jobJson(id, "queued", 0, total, Json::array());
}

Result<Json> JobService::get(const Principal& p, const std::string& job) {
  return ctx_.db.read<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT workspace_id, status, done, total, results FROM "
                                        "jobs WHERE id = ?",
                                        {job}));
    if (!row) return Error::notFound("job");
    auto role = WorkspaceService::authorize(tx, p, row->text(0), Action::kDomainsRead);
    if (!role.ok()) {
      if (role.error().code == ErrorCode::kUnauthenticated) return std::move(role).error();
      return Error::notFound("job");
    }
    Json results = Json::parse(row->text(4), nullptr, false);
    if (results.is_discarded()) results = Json::array();
    return jobJson(job, row->text(1), row->integer(2), row->integer(3), results);
  });
}

Status JobService::setStatus(const std::string& job, const char* status) {
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY(tx.exec("UPDATE jobs SET status = ?, updated_at = ? WHERE id = ?",
                   {std::string(status), now, job}));
    return {};
  });
}

Status JobService::markRunning(const std::string& job) { return setStatus(job, "running"); }

Status JobService::finish(const std::string& job, bool ok) {
  return setStatus(job, ok ? "succeeded" : "failed");
}

Status JobService::addResult(const std::string& job, const Json& result) {
  return addResults(job, std::vector<Json>{result});
}

Status JobService::addResults(const std::string& job, const std::vector<Json>& rows) {
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT results FROM jobs WHERE id = ?", {job}));
    if (!row) return Error::notFound("job");
    Json results = Json::parse(row->text(0), nullptr, false);
    if (!results.is_array()) results = Json::array();
    for (const auto& r : rows) results.push_back(r);
    MJ_TRY(tx.exec("UPDATE jobs SET results = ?, done = done + ?, updated_at = ? WHERE id = ?",
                   {results.dump(), int64_t(rows.size()), now, job}));
    return {};
  });
}

}  // namespace mailjuke::core
