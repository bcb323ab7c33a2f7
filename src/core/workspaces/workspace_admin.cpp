// Operators' view of workspaces: list with counts, suspend and resume with reasons.
#include "base/ids.h"
#include "core/like_pattern.h"
#include "core/mailboxes/mailbox_service.h"
#include "core/pagination.h"
#include "core/workspaces/workspace_service.h"
#include "core/workspaces/workspace_suspension.h"

namespace mailjuke::core {
namespace {

constexpr size_t kMaxReason = 1000;

Result<std::optional<store::Row>> latestSuspension(store::Tx& tx, const std::string& ws) {
  return tx.queryOne(
      "SELECT action, reason, created_at FROM workspace_suspensions WHERE workspace_id = ? "
      "ORDER BY created_at DESC, id DESC LIMIT 1",
      {ws});
}

}  // namespace

bool refusedWhileSuspended(Action a) {
  switch (a) {
    case Action::kWorkspaceUpdate:
    case Action::kMembersManage:
    case Action::kApiKeysManage:
    case Action::kDomainsWrite:
    case Action::kMailboxesWrite:
      return true;
    default:
      return false;
  }
}

Status requireNotSuspended(store::Tx& tx, const std::string& ws) {
  MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT status FROM workspaces WHERE id = ?", {ws}));
  if (!row || row->text(0) != "suspended") return {};
  MJ_TRY_ASSIGN(auto last, latestSuspension(tx, ws));
  std::string reason = last ? last->text(1) : "no reason recorded";
  return Error::make(ErrorCode::kForbidden,
                     "this workspace is suspended by the platform operator (" + reason +
                         "); reading, exports, billing and privacy requests still work, "
                         "contact support to resume it");
}

Result<Page> WorkspaceService::adminList(const std::optional<std::string>& status,
                                         const std::optional<std::string>& q,
                                         const PageRequest& page) {
  if (status && *status != "active" && *status != "suspended" && *status != "deleted")
    return Error::invalid("status", "must be active, suspended or deleted");
  if (q && q->size() > 200) return Error::invalid("q", "must be at most 200 characters");
  return ctx_.db.read<Page>([&](store::Tx& tx) -> Result<Page> {
    std::string sql =
        "SELECT w.id, w.name, w.status, w.data_region, w.created_at, "
        "(SELECT COUNT(*) FROM memberships m WHERE m.workspace_id = w.id), "
        "(SELECT COUNT(*) FROM domains d WHERE d.workspace_id = w.id), "
        "(SELECT COUNT(*) FROM mailboxes b WHERE b.workspace_id = w.id) "
        "FROM workspaces w WHERE 1 = 1";
    store::Params params;
    if (status) {
      sql += " AND w.status = ?";
      params.push_back(*status);
    }
    if (q && !q->empty()) {
      sql += " AND (LOWER(w.name) LIKE ? ESCAPE '!' OR LOWER(w.id) LIKE ? ESCAPE '!')";
      params.push_back(containsPattern(*q));
      params.push_back(containsPattern(*q));
    }
    std::vector<std::string> ids;
    MJ_TRY_ASSIGN(auto out, paginate(tx, sql, params, "w.id", page, [](const store::Row& r) {
                    return Json{{"id", r.text(0)},
                                {"name", r.text(1)},
                                {"status", r.text(2)},
                                {"data_region", r.text(3)},
                                {"created_at", formatRfc3339(r.integer(4))},
                                {"members", r.integer(5)},
                                {"domains", r.integer(6)},
                                {"mailboxes", r.integer(7)}};
                  }));
    for (auto& w : out.data) {
      const std::string id = w["id"].get<std::string>();
      MJ_TRY_ASSIGN(auto owners,
                    tx.query("SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id "
                             "WHERE m.workspace_id = ? AND m.role = 'owner' ORDER BY u.email",
                             {id}));
      w["owners"] = Json::array();
      for (const auto& o : owners) w["owners"].push_back(o.text(0));
      MJ_TRY_ASSIGN(auto last, latestSuspension(tx, id));
      w["last_decision"] = last ? Json{{"action", last->text(0)},
                                       {"reason", last->text(1)},
                                       {"at", formatRfc3339(last->integer(2))}}
                                : Json(nullptr);
    }
    return out;
  });
}

namespace {

Result<Json> decide(CoreContext& ctx, const Principal& p, const std::string& ws,
                    const std::string& reason, const char* from, const char* to,
                    const char* action) {
  if (!p.is_operator) return Error::make(ErrorCode::kForbidden, "operators only");
  if (reason.empty() || reason.size() > kMaxReason)
    return Error::invalid("reason", "must be 1 to 1000 characters");
  const int64_t now = ctx.clock.nowSeconds();
  return ctx.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT status FROM workspaces WHERE id = ?", {ws}));
    if (!row || row->text(0) == "deleted") return Error::notFound("workspace");
    if (row->text(0) != from)
      return Error::make(ErrorCode::kConflict, "the workspace is " + row->text(0) + ", not " +
                                                   from + ": nothing to " + action);
    MJ_TRY(tx.exec("UPDATE workspaces SET status = ?, updated_at = ? WHERE id = ?", {to, now, ws}));
    MJ_TRY(
        tx.exec("INSERT INTO workspace_suspensions (id, workspace_id, action, reason, operator_id, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                {newId("wsu"), ws, action, reason, p.user_id, now}));
    MJ_TRY(bumpMailboxVersion(tx));
    MJ_TRY(recordAudit(tx, p,
                       {ws,
                        std::string("workspace.") + action,
                        "workspace",
                        ws,
                        {{"reason", reason}, {"by", "operator"}}},
                       now));
    return Json{
        {"id", ws},
        {"status", to},
        {"last_decision", {{"action", action}, {"reason", reason}, {"at", formatRfc3339(now)}}}};
  });
}

}  // namespace

Result<Json> WorkspaceService::suspend(const Principal& p, const std::string& ws,
                                       const std::string& reason) {
  return decide(ctx_, p, ws, reason, "active", "suspended", "suspend");
}

Result<Json> WorkspaceService::resume(const Principal& p, const std::string& ws,
                                      const std::string& reason) {
  return decide(ctx_, p, ws, reason, "suspended", "active", "resume");
}

}  // namespace mailjuke::core
