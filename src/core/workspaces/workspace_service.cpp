#include "core/workspaces/workspace_service.h"

#include "base/ids.h"
#include "core/accounts/validation.h"
#include "core/billing/domain_charges.h"
#include "core/pagination.h"
#include "core/workspaces/workspace_suspension.h"

namespace mailjuke::core {
namespace {
const char* const kWsColumns =
    "id, name, status, data_region, dpa_version, dpa_accepted_at, settings, created_at, updated_at";
const char* const kRegions[] = {"eu", "us", "uk"};

bool knownRegion(const std::string& r) {
  for (auto* k : kRegions)
    if (r == k) return true;
  return false;
}
}  // namespace

Result<Role> WorkspaceService::roleIn(store::Tx& tx, const Principal& p, const std::string& ws) {
  const Error not_found = Error::notFound("workspace");
  if (p.isKey()) {
    if (p.key_workspace_id != ws) return not_found;
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT status FROM workspaces WHERE id = ?", {ws}));
    if (!row || row->text(0) == "deleted") return not_found;
    return p.key_role;
  }
  if (!p.isUser()) return Error::make(ErrorCode::kUnauthenticated, "sign in first");
  MJ_TRY_ASSIGN(auto row,
                tx.queryOne("SELECT m.role FROM memberships m JOIN workspaces w ON w.id = "
                            "m.workspace_id WHERE m.workspace_id = ? AND m.user_id = ? AND "
                            "w.status <> 'deleted'",
                            {ws, p.user_id}));
  if (!row) return not_found;
  auto role = parseRole(row->text(0));
  if (!role) return Error::internal("bad role in database");
  return *role;
}

Result<Role> WorkspaceService::authorize(store::Tx& tx, const Principal& p, const std::string& ws,
                                         Action a) {
  MJ_TRY_ASSIGN(Role role, roleIn(tx, p, ws));
  if (!allowed(role, a))
    return Error::make(ErrorCode::kForbidden, "the " + std::string(roleName(role)) +
                                                  " role may not " + std::string(actionName(a)));
  if (refusedWhileSuspended(a)) MJ_TRY(requireNotSuspended(tx, ws));
  return role;
}

Json WorkspaceService::workspaceJson(const store::Row& r, Role role) const {
  Json settings = Json::parse(r.text(6), nullptr, false);
  return {{"id", r.text(0)},
          {"name", r.text(1)},
          {"status", r.text(2)},
          {"data_region", r.text(3)},
          {"dpa",
           {{"version", r.optText(4) ? Json(*r.optText(4)) : Json(nullptr)},
            {"accepted_at", r.isNull(5) ? Json(nullptr) : Json(formatRfc3339(r.integer(5)))}}},
          {"settings", settings.is_discarded() ? Json::object() : settings},
          {"role", roleName(role)},
          {"created_at", formatRfc3339(r.integer(7))},
          {"updated_at", formatRfc3339(r.integer(8))}};
}

Result<Page> WorkspaceService::list(const Principal& p, std::optional<std::string> cursor,
                                    int limit) {
  return ctx_.db.read<Page>([&](store::Tx& tx) -> Result<Page> {
    Page page;
    if (p.isKey()) {
      MJ_TRY_ASSIGN(auto row,
                    tx.queryOne(std::string("SELECT ") + kWsColumns +
                                    " FROM workspaces WHERE id = ? AND status <> 'deleted'",
                                {p.key_workspace_id}));
      if (row) page.data.push_back(workspaceJson(*row, p.key_role));
      return page;
    }
    std::string sql =
        "SELECT w.id, w.name, w.status, w.data_region, w.dpa_version, w.dpa_accepted_at, "
        "w.settings, w.created_at, w.updated_at, m.role FROM memberships m JOIN workspaces w "
        "ON w.id = m.workspace_id WHERE m.user_id = ? AND w.status <> 'deleted'";
    return paginate(tx, sql, {p.user_id}, "w.id", {cursor, limit}, [&](const store::Row& r) {
      return workspaceJson(r, parseRole(r.text(9)).value_or(Role::kViewer));
    });
  });
}

Result<Json> WorkspaceService::create(const Principal& p, const std::string& name,
                                      const std::optional<std::string>& region) {
  if (!p.isUser()) return Error::make(ErrorCode::kForbidden, "API keys cannot create workspaces");
  MJ_TRY(checkText("name", name, 100));
  std::string data_region = region.value_or("eu");
  if (!knownRegion(data_region)) return Error::invalid("data_region", "must be one of eu, us, uk");
  int64_t now = ctx_.clock.nowSeconds();
  std::string id = newId("ws");
  return ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(tx.exec(
        "INSERT INTO workspaces (id, name, data_region, created_at, updated_at) VALUES (?,?,?,?,?)",
        {id, name, data_region, now, now}));
    MJ_TRY(tx.exec(
        "INSERT INTO memberships (id, workspace_id, user_id, role, created_at) VALUES (?,?,?,?,?)",
        {newId("mem"), id, p.user_id, "owner", now}));
    MJ_TRY(billing::grantTrialCredit(tx, ctx_, id));  // [billing] trial_credit, 0 by default
    MJ_TRY(recordAudit(tx, p, {id, "workspace.create", "workspace", id, {{"name", name}}}, now));
    MJ_TRY_ASSIGN(
        auto row,
        tx.queryOne(std::string("SELECT ") + kWsColumns + " FROM workspaces WHERE id = ?", {id}));
    return workspaceJson(*row, Role::kOwner);
  });
}

Result<Json> WorkspaceService::get(const Principal& p, const std::string& ws) {
  return ctx_.db.read<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY_ASSIGN(Role role, authorize(tx, p, ws, Action::kWorkspaceRead));
    MJ_TRY_ASSIGN(
        auto row,
        tx.queryOne(std::string("SELECT ") + kWsColumns + " FROM workspaces WHERE id = ?", {ws}));
    if (!row) return Error::notFound("workspace");
    return workspaceJson(*row, role);
  });
}

Result<Json> WorkspaceService::update(const Principal& p, const std::string& ws,
                                      const Json& patch) {
  int64_t now = ctx_.clock.nowSeconds();
  if (patch.contains("name")) MJ_TRY(checkText("name", patch["name"].get<std::string>(), 100));
  if (patch.contains("data_region") && !knownRegion(patch["data_region"].get<std::string>()))
    return Error::invalid("data_region", "must be one of eu, us, uk");
  return ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY_ASSIGN(Role role, authorize(tx, p, ws, Action::kWorkspaceUpdate));
    Json fields = Json::array();
    if (patch.contains("name")) {
      MJ_TRY(tx.exec("UPDATE workspaces SET name = ?, updated_at = ? WHERE id = ?",
                     {patch["name"].get<std::string>(), now, ws}));
      fields.push_back("name");
    }
    if (patch.contains("data_region")) {
      MJ_TRY(tx.exec("UPDATE workspaces SET data_region = ?, updated_at = ? WHERE id = ?",
                     {patch["data_region"].get<std::string>(), now, ws}));
      fields.push_back("data_region");
    }
    if (patch.contains("settings")) {
      MJ_TRY(tx.exec("UPDATE workspaces SET settings = ?, updated_at = ? WHERE id = ?",
                     {patch["settings"].dump(), now, ws}));
      fields.push_back("settings");
    }
    if (patch.contains("dpa_accepted_version")) {
      // The data processing agreement is accepted by an owner, as the controller's representative.
      if (role != Role::kOwner || !p.isUser())
        return Error::make(ErrorCode::kForbidden,
                           "only an owner may accept the data processing agreement");
      MJ_TRY(
          tx.exec("UPDATE workspaces SET dpa_version = ?, dpa_accepted_at = ?, dpa_accepted_by = "
                  "?, updated_at = ? WHERE id = ?",
                  {patch["dpa_accepted_version"].get<std::string>(), now, p.user_id, now, ws}));
      // Every acceptance is kept, per version (docs/privacy.md).
      MJ_TRY(tx.exec(
          "INSERT INTO dpa_acceptances (id, workspace_id, version, accepted_by, accepted_at) "
          "VALUES (?,?,?,?,?)",
          {newId("dpa"), ws, patch["dpa_accepted_version"].get<std::string>(), p.user_id, now}));
      fields.push_back("dpa");
    }
    MJ_TRY(
        recordAudit(tx, p, {ws, "workspace.update", "workspace", ws, {{"fields", fields}}}, now));
    MJ_TRY_ASSIGN(
        auto row,
        tx.queryOne(std::string("SELECT ") + kWsColumns + " FROM workspaces WHERE id = ?", {ws}));
    return workspaceJson(*row, role);
  });
}

Status WorkspaceService::remove(const Principal& p, const std::string& ws,
                                const std::string& confirm_name) {
  int64_t now = ctx_.clock.nowSeconds();
  Status st = ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY(authorize(tx, p, ws, Action::kWorkspaceDelete));
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT name FROM workspaces WHERE id = ?", {ws}));
    if (!row) return Error::notFound("workspace");
    if (row->text(0) != confirm_name)
      return Error::invalid("confirm_name", "must equal the workspace's name to confirm deletion");
    MJ_TRY(tx.exec("UPDATE workspaces SET status = 'deleted', updated_at = ? WHERE id = ?",
                   {now, ws}));
    MJ_TRY(
        tx.exec("UPDATE api_keys SET revoked_at = ? WHERE workspace_id = ? AND revoked_at IS NULL",
                {now, ws}));
    MJ_TRY(tx.exec(
        "UPDATE invitations SET revoked_at = ? WHERE workspace_id = ? AND accepted_at IS NULL",
        {now, ws}));
    return recordAudit(tx, p, {ws, "workspace.delete", "workspace", ws}, now);
  });
  forgetKeys();
  return st;
}

std::shared_ptr<const std::string> WorkspaceService::cachedAudit(const Principal& p,
                                                                 const AuditQuery& q) {
  // A cached key proves its workspace and role (see authenticateKey); people are authorised
  // against their membership in a read transaction.
  if (!p.isKey() || p.key_workspace_id != q.workspace_id ||
      !allowed(p.key_role, Action::kAuditRead))
    return nullptr;
  return audit_pages_.find(AuditPageCache::keyOf(q), ctx_.db, q.workspace_id);
}

Result<std::shared_ptr<const std::string>> WorkspaceService::audit(const Principal& p,
                                                                   const AuditQuery& q) {
  if (auto hit = cachedAudit(p, q)) return hit;
  std::string cache_key = AuditPageCache::keyOf(q);
  uint64_t generation = ctx_.db.generation(auditTag(q.workspace_id));
  MJ_TRY_ASSIGN(auto page, ctx_.db.read<Page>([&](store::Tx& tx) -> Result<Page> {
    MJ_TRY(authorize(tx, p, q.workspace_id, Action::kAuditRead));
    return listAudit(tx, q);
  }));
  auto body = std::make_shared<const std::string>(page.render());
  audit_pages_.put(std::move(cache_key), body, generation);
  return body;
}

}  // namespace mailjuke::core
