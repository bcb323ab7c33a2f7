#include "core/mailboxes/mailbox_bulk.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <set>
#include <thread>

#include "core/audit/audit_log.h"
#include "core/workspaces/workspace_service.h"

namespace mailjuke::core {
namespace {

constexpr size_t kBatch = 64;

Json errorJson(const Error& e, const char* default_field) {
  return e.fields.empty()
             ? Json{{"field", default_field}, {"message", e.message}}
             : Json{{"field", e.fields.front().field}, {"message", e.fields.front().message}};
}

}  // namespace

unsigned MailboxBulk::threads() const {
  if (hash_threads_) return hash_threads_;
  // Argon2id is memory-hard (19 MiB each): a few threads use the cores without starving them.
  return std::clamp(std::thread::hardware_concurrency(), 2u, 4u);
}

Result<Json> MailboxBulk::start(const Principal& p, const std::string& ws,
                                const BulkMailboxInput& in) {
  MJ_TRY(ctx_.db.run(store::TxMode::kRead, [&](store::Tx& tx) -> Status {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kMailboxesWrite));
    return {};
  }));
  auto pattern = parseNamePattern(in.pattern);
  if (!pattern)
    return Error::invalid("pattern",
                          "must be first, first.last, firstlast, flast, f.last or first_l");
  if (in.domain_ids.empty() || in.domain_ids.size() > kMaxBulkDomainIds)
    return Error::invalid("domain_ids", "must hold 1 to 500 domain ids");
  if (std::set<std::string>(in.domain_ids.begin(), in.domain_ids.end()).size() !=
      in.domain_ids.size())
    return Error::invalid("domain_ids", "must not repeat a domain");
  if (in.people.empty() || in.people.size() > kMaxBulkPeople)
    return Error::invalid("people", "must hold 1 to 2000 people");
  for (size_t i = 0; i < in.people.size(); ++i) {
    std::string at = "people[" + std::to_string(i) + "].";
    MJ_TRY(validatePersonName(at + "first_name", in.people[i].first_name));
    MJ_TRY(validatePersonName(at + "last_name", in.people[i].last_name));
    if (addressToken(in.people[i].first_name).empty())
      return Error::invalid(at + "first_name", "must hold a Latin letter or digit");
  }
  if (in.per_domain < 1 || size_t(in.per_domain) > kMaxBulkMailboxes)
    return Error::invalid("per_domain", "must be between 1 and 2000");
  size_t total = in.domain_ids.size() * size_t(in.per_domain);
  if (total > kMaxBulkMailboxes)
    return Error::invalid("per_domain", "domain_ids × per_domain must be at most 2000");
  MJ_TRY_ASSIGN(auto job, ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kMailboxesWrite));
    for (const auto& d : in.domain_ids) MJ_TRY(MailboxService::requireActiveDomain(tx, ws, d));
    MJ_TRY_ASSIGN(auto created, jobs_.create(tx, ws, "mailboxes.bulk_create", int64_t(total)));
    MJ_TRY(recordAudit(tx, p,
                       {ws,
                        "mailbox.bulk_create",
                        "job",
                        created["id"].get<std::string>(),
                        {{"total", total}, {"pattern", in.pattern}, {"domains", in.domain_ids}}},
                       ctx_.clock.nowSeconds()));
    return created;
  }));
  std::string id = job["id"].get<std::string>();
  NamePattern pat = *pattern;
  runner_.submit([this, p, ws, id, in, pat] { run(p, ws, id, in, pat); });
  return job;
}

void MailboxBulk::run(const Principal& p, const std::string& ws, const std::string& job,
                      const BulkMailboxInput& in, NamePattern pattern) {
  auto warn = [&](const Status& st) {
    if (!st.ok()) spdlog::warn("job {}: {}", job, st.error().message);
  };
  warn(jobs_.markRunning(job));
  bool all_recorded = true;
  // Plan every address first (cheap), then hash and insert in batches.
  std::vector<Planned> planned;
  std::vector<Json> unplanned;
  size_t row = 0;
  for (const auto& dom : in.domain_ids) {
    std::string domain;
    std::vector<std::string> taken;
    auto st = ctx_.db.run(store::TxMode::kRead, [&](store::Tx& tx) -> Status {
      MJ_TRY_ASSIGN(domain, MailboxService::requireActiveDomain(tx, ws, dom));
      MJ_TRY_ASSIGN(auto rows,
                    tx.query("SELECT local_part FROM mailboxes WHERE domain_id = ?", {dom}));
      taken.clear();
      for (const auto& r : rows) taken.push_back(r.text(0));
      return {};
    });
    std::vector<PlannedMailbox> plan;
    if (st.ok()) plan = planAddresses(pattern, in.people, size_t(in.per_domain), taken);
    for (int64_t k = 0; k < in.per_domain; ++k, ++row) {
      if (size_t(k) < plan.size()) {
        planned.push_back({row, dom, domain, plan[size_t(k)]});
        continue;
      }
      Json r = {{"row", row}, {"domain_id", dom}, {"ok", false}};
      r["error"] =
          st.ok() ? Json{{"field", "people"}, {"message", "no free address left for these people"}}
                  : errorJson(st.error(), "domain_ids");
      unplanned.push_back(r);
    }
  }
  if (!unplanned.empty()) {
    auto st = jobs_.addResults(job, unplanned);
    warn(st);
    all_recorded &= st.ok();
  }
  for (size_t start = 0; start < planned.size(); start += kBatch) {
    if (runner_.stopping()) {  // shutting down: the rows not yet done are not attempted
      warn(jobs_.finish(job, false));
      return;
    }
    std::vector<Planned> batch(planned.begin() + long(start),
                               planned.begin() + long(std::min(planned.size(), start + kBatch)));
    auto st = jobs_.addResults(job, runBatch(p, ws, job, in, batch));
    warn(st);
    all_recorded &= st.ok();
    mailboxes_.refreshDirectory();
  }
  warn(jobs_.finish(job, all_recorded));
}

std::vector<Json> MailboxBulk::runBatch(const Principal& p, const std::string& ws,
                                        const std::string& job, const BulkMailboxInput& in,
                                        const std::vector<Planned>& batch) {
  // 1. Validate and hash on several threads (the slow part: one Argon2id per mailbox).
  std::vector<std::optional<Result<PreparedMailbox>>> prepared(batch.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next++) < batch.size();) {
      const auto& b = batch[i];
      const Person& person = in.people[b.plan.person];
      MailboxInput mi;
      mi.domain_id = b.domain_id;
      mi.local_part = b.plan.local_part;
      mi.first_name = person.first_name;
      mi.last_name = person.last_name;
      try {
        prepared[i] = mailboxes_.prepare(ws, mi);
      } catch (const std::exception& e) {
        prepared[i] = Result<PreparedMailbox>(Error::internal(e.what()));
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < std::min<unsigned>(threads(), unsigned(batch.size())); ++t)
    pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();

  // 2. Insert the batch in one transaction; each row's checks are plain SELECTs, so a taken
  // address fails its row without aborting the transaction.
  std::vector<Json> results(batch.size());
  int64_t now = ctx_.clock.nowSeconds();
  auto insertRows = [&](store::Tx& tx, size_t from, size_t to) -> Status {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kMailboxesWrite));
    for (size_t i = from; i < to; ++i) {
      const auto& b = batch[i];
      Json r = {{"row", b.row},
                {"domain_id", b.domain_id},
                {"address", b.plan.local_part + "@" + b.domain},
                {"first_name", in.people[b.plan.person].first_name},
                {"last_name", in.people[b.plan.person].last_name}};
      Status st = prepared[i]->ok() ? mailboxes_.insert(tx, prepared[i]->value(), now)
                                    : Status(prepared[i]->error());
      if (st.ok()) {
        r["ok"] = true;
        r["mailbox_id"] = prepared[i]->value().id;
        MJ_TRY(recordAudit(tx, p,
                           {ws,
                            "mailbox.create",
                            "mailbox",
                            prepared[i]->value().id,
                            {{"address", r["address"]}, {"job", job}}},
                           now));
      } else if (st.error().code == ErrorCode::kInternal ||
                 st.error().code == ErrorCode::kUnavailable) {
        return st;  // the transaction may be unusable: let the caller retry row by row
      } else {
        r["ok"] = false;
        r["error"] = errorJson(st.error(), "local_part");
      }
      results[i] = r;
    }
    return {};
  };
  if (ctx_.db
          .run(store::TxMode::kWrite,
               [&](store::Tx& tx) { return insertRows(tx, 0, batch.size()); })
          .ok())
    return results;
  // Fallback: one transaction per row, so one bad row cannot fail its neighbours.
  for (size_t i = 0; i < batch.size(); ++i) {
    auto st =
        ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) { return insertRows(tx, i, i + 1); });
    if (!st.ok()) {
      results[i] = {{"row", batch[i].row},
                    {"domain_id", batch[i].domain_id},
                    {"address", batch[i].plan.local_part + "@" + batch[i].domain},
                    {"ok", false},
                    {"error", errorJson(st.error(), "local_part")}};
    }
  }
  return results;
}

}  // namespace mailjuke::core
