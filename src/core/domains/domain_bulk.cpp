#include "core/domains/domain_bulk.h"

#include <spdlog/spdlog.h>

#include "core/audit/audit_log.h"
#include "core/workspaces/workspace_service.h"

namespace mailjuke::core {

Result<Json> DomainBulk::start(const Principal& p, const std::string& ws,
                               const std::vector<std::string>& names, const std::string& source) {
  if (names.empty() || names.size() > kMaxBulkDomains)
    return Error::invalid("names", "must hold 1 to 500 names");
  if (source != "purchase" && source != "external")
    return Error::invalid("source", "must be purchase or external");
  MJ_TRY_ASSIGN(auto job, ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kDomainsWrite));
    MJ_TRY_ASSIGN(auto created, jobs_.create(tx, ws, "domains.bulk_add", int64_t(names.size())));
    MJ_TRY(recordAudit(tx, p,
                       {ws,
                        "domain.bulk_add",
                        "job",
                        created["id"].get<std::string>(),
                        {{"total", names.size()}, {"source", source}}},
                       ctx_.clock.nowSeconds()));
    return created;
  }));
  std::string id = job["id"].get<std::string>();
  runner_.submit([this, p, ws, id, names, source] { run(p, ws, id, names, source); });
  return job;
}

void DomainBulk::run(const Principal& p, const std::string& ws, const std::string& job,
                     const std::vector<std::string>& names, const std::string& source) {
  auto warn = [&](const Status& st) {
    if (!st.ok()) spdlog::warn("job {}: {}", job, st.error().message);
  };
  warn(jobs_.markRunning(job));
  bool all_recorded = true;
  for (size_t i = 0; i < names.size(); ++i) {
    if (runner_.stopping()) {  // shutting down: the rows not yet done are not attempted
      warn(jobs_.finish(job, false));
      return;
    }
    Json row = {{"row", int64_t(i)}, {"name", names[i]}};
    auto added = domains_.add(p, ws, DomainInput{names[i], source, std::nullopt, std::nullopt});
    if (added.ok()) {
      row["ok"] = true;
      row["domain_id"] = (*added)["id"];
    } else {
      const Error& e = added.error();
      row["ok"] = false;
      row["error"] = e.fields.empty() ? Json{{"field", "name"}, {"message", e.message}}
                                      : Json{{"field", e.fields.front().field},
                                             {"message", e.fields.front().message}};
    }
    auto st = jobs_.addResult(job, row);
    warn(st);
    all_recorded &= st.ok();
  }
  warn(jobs_.finish(job, all_recorded));
}

}  // namespace mailjuke::core
