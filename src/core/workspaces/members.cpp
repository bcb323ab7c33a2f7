// Memberships and invitations. The last owner can neither leave nor be demoted (409).
#include "base/crypto.h"
#include "base/ids.h"
#include "core/accounts/validation.h"
#include "core/notify/outbox.h"
#include "core/pagination.h"
#include "core/workspaces/workspace_service.h"

namespace mailjuke::core {
namespace {
Json memberJson(const store::Row& r) {
  return {{"id", r.text(0)},   {"user_id", r.text(1)}, {"email", r.text(2)},
          {"name", r.text(3)}, {"role", r.text(4)},    {"created_at", formatRfc3339(r.integer(5))}};
}
const char* const kMemberSelect =
    "SELECT m.id, m.user_id, u.email, u.name, m.role, m.created_at FROM memberships m JOIN users u "
    "ON u.id = m.user_id WHERE m.workspace_id = ?";

Result<int64_t> ownerCount(store::Tx& tx, const std::string& ws) {
  MJ_TRY_ASSIGN(
      auto row,
      tx.queryOne("SELECT COUNT(*) FROM memberships WHERE workspace_id = ? AND role = 'owner'",
                  {ws}));
  return row ? row->integer(0) : 0;
}
}  // namespace

Result<Page> WorkspaceService::listMembers(const Principal& p, const std::string& ws,
                                           std::optional<std::string> cursor, int limit) {
  return ctx_.db.read<Page>([&](store::Tx& tx) -> Result<Page> {
    MJ_TRY(authorize(tx, p, ws, Action::kMembersRead));
    return paginate(tx, kMemberSelect, {ws}, "m.id", {cursor, limit}, memberJson);
  });
}

Result<Page> WorkspaceService::listInvitations(const Principal& p, const std::string& ws,
                                               std::optional<std::string> cursor, int limit) {
  const int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.read<Page>([&](store::Tx& tx) -> Result<Page> {
    MJ_TRY(authorize(tx, p, ws, Action::kMembersRead));
    return paginate(
        tx,
        "SELECT i.id, i.email, i.role, i.expires_at, i.created_at, u.email FROM invitations i "
        "LEFT JOIN users u ON u.id = i.invited_by WHERE i.workspace_id = ? AND i.accepted_at IS "
        "NULL AND i.revoked_at IS NULL AND i.expires_at > ?",
        {ws, now}, "i.id", {cursor, limit}, [](const store::Row& r) {
          return Json{{"id", r.text(0)},
                      {"email", r.text(1)},
                      {"role", r.text(2)},
                      {"status", "pending"},
                      {"expires_at", formatRfc3339(r.integer(3))},
                      {"created_at", formatRfc3339(r.integer(4))},
                      {"invited_by", r.isNull(5) ? Json(nullptr) : Json(r.text(5))}};
        });
  });
}

Status WorkspaceService::revokeInvitation(const Principal& p, const std::string& ws,
                                          const std::string& inv) {
  const int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY(authorize(tx, p, ws, Action::kMembersManage));
    MJ_TRY_ASSIGN(auto n, tx.exec("UPDATE invitations SET revoked_at = ? WHERE id = ? AND "
                                  "workspace_id = ? AND accepted_at IS NULL AND revoked_at IS "
                                  "NULL AND expires_at > ?",
                                  {now, inv, ws, now}));
    if (n == 0) return Error::notFound("pending invitation");
    return recordAudit(tx, p, {ws, "member.invitation_revoke", "invitation", inv}, now);
  });
}

Result<Json> WorkspaceService::invite(const Principal& p, const std::string& ws,
                                      const std::string& raw_email, const std::string& role_name) {
  MJ_TRY_ASSIGN(std::string email, normalizeEmail("email", raw_email));
  auto role = parseRole(role_name);
  if (!role) return Error::invalid("role", "must be one of owner, admin, member, billing, viewer");
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY_ASSIGN(Role actor_role, authorize(tx, p, ws, Action::kMembersManage));
    if (!mayGrant(actor_role, *role))
      return Error::make(ErrorCode::kForbidden,
                         "your role may not grant the " + role_name + " role");
    MJ_TRY_ASSIGN(auto member,
                  tx.queryOne("SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id "
                              "WHERE m.workspace_id = ? AND u.email = ?",
                              {ws, email}));
    if (member) return Error::make(ErrorCode::kConflict, "this person is already a member");
    MJ_TRY_ASSIGN(auto wsrow, tx.queryOne("SELECT name FROM workspaces WHERE id = ?", {ws}));
    std::string token = crypto::randomToken(32);
    std::string id = newId("inv");
    MJ_TRY(tx.exec(
        "INSERT INTO invitations (id, workspace_id, email, role, token_hash, invited_by, "
        "expires_at, created_at) "
        "VALUES (?,?,?,?,?,?,?,?)",
        {id, ws, email, role_name, crypto::sha256Hex(token), p.actorId(), now + 7 * 86400, now}));
    MJ_TRY(enqueueEmail(
        tx,
        {"invitation", email, "", "You are invited to " + wsrow->text(0),
         "You have been invited to join the workspace \"" + wsrow->text(0) + "\" on " +
             ctx_.settings.platform_name + " as " + role_name +
             ".\n\nAccept the invitation within 7 days:\n\n" + ctx_.settings.public_url +
             "/invitations/accept?token=" + token + "\n\nInvitation token: " + token},
        now));
    MJ_TRY(recordAudit(tx, p, {ws, "member.invite", "invitation", id, {{"role", role_name}}}, now));
    return Json{{"id", id},
                {"email", email},
                {"role", role_name},
                {"expires_at", formatRfc3339(now + 7 * 86400)},
                {"status", "pending"}};
  });
}

Result<Json> WorkspaceService::acceptInvitation(const Principal& p, const std::string& token) {
  if (!p.isUser()) return Error::make(ErrorCode::kForbidden, "sign in to accept an invitation");
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY_ASSIGN(
        auto inv,
        tx.queryOne("SELECT id, workspace_id, email, role, expires_at, accepted_at, revoked_at "
                    "FROM invitations WHERE token_hash = ?",
                    {crypto::sha256Hex(token)}));
    if (!inv) return Error::invalid("token", "is invalid");
    if (!inv->isNull(5) || !inv->isNull(6) || inv->integer(4) < now)
      return Error::make(ErrorCode::kGone, "the invitation expired or was already used");
    MJ_TRY_ASSIGN(auto existing,
                  tx.queryOne("SELECT id FROM memberships WHERE workspace_id = ? AND user_id = ?",
                              {inv->text(1), p.user_id}));
    if (existing)
      return Error::make(ErrorCode::kConflict, "you are already a member of this workspace");
    std::string mem = newId("mem");
    MJ_TRY(tx.exec("UPDATE invitations SET accepted_at = ? WHERE id = ?", {now, inv->text(0)}));
    MJ_TRY(tx.exec(
        "INSERT INTO memberships (id, workspace_id, user_id, role, created_at) VALUES (?,?,?,?,?)",
        {mem, inv->text(1), p.user_id, inv->text(3), now}));
    MJ_TRY(recordAudit(
        tx, p, {inv->text(1), "member.join", "membership", mem, {{"role", inv->text(3)}}}, now));
    return Json{{"workspace_id", inv->text(1)}, {"membership_id", mem}, {"role", inv->text(3)}};
  });
}

Result<Json> WorkspaceService::changeRole(const Principal& p, const std::string& ws,
                                          const std::string& mem, const std::string& role_name) {
  auto role = parseRole(role_name);
  if (!role) return Error::invalid("role", "must be one of owner, admin, member, billing, viewer");
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY_ASSIGN(Role actor_role, authorize(tx, p, ws, Action::kMembersManage));
    MJ_TRY_ASSIGN(
        auto row,
        tx.queryOne("SELECT role FROM memberships WHERE id = ? AND workspace_id = ?", {mem, ws}));
    if (!row) return Error::notFound("member");
    Role current = parseRole(row->text(0)).value_or(Role::kViewer);
    if (!mayGrant(actor_role, *role) || !mayGrant(actor_role, current))
      return Error::make(ErrorCode::kForbidden,
                         "your role may not change this member to " + role_name);
    if (current == Role::kOwner && *role != Role::kOwner) {
      MJ_TRY_ASSIGN(int64_t owners, ownerCount(tx, ws));
      if (owners <= 1) return Error::make(ErrorCode::kConflict, "the last owner cannot be demoted");
    }
    MJ_TRY(tx.exec("UPDATE memberships SET role = ? WHERE id = ?", {role_name, mem}));
    MJ_TRY(recordAudit(
        tx, p,
        {ws, "member.role_change", "membership", mem, {{"from", row->text(0)}, {"to", role_name}}},
        now));
    MJ_TRY_ASSIGN(auto out, tx.queryOne(std::string(kMemberSelect) + " AND m.id = ?", {ws, mem}));
    return memberJson(*out);
  });
}

Status WorkspaceService::removeMember(const Principal& p, const std::string& ws,
                                      const std::string& mem) {
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY_ASSIGN(Role actor_role, roleIn(tx, p, ws));
    MJ_TRY_ASSIGN(
        auto row,
        tx.queryOne("SELECT role, user_id FROM memberships WHERE id = ? AND workspace_id = ?",
                    {mem, ws}));
    if (!row) return Error::notFound("member");
    bool self = p.isUser() && row->text(1) == p.user_id;  // anyone may leave
    Role current = parseRole(row->text(0)).value_or(Role::kViewer);
    if (!self && (!allowed(actor_role, Action::kMembersManage) || !mayGrant(actor_role, current)))
      return Error::make(ErrorCode::kForbidden, "your role may not remove this member");
    if (current == Role::kOwner) {
      MJ_TRY_ASSIGN(int64_t owners, ownerCount(tx, ws));
      if (owners <= 1)
        return Error::make(ErrorCode::kConflict, "the last owner cannot leave the workspace");
    }
    MJ_TRY(tx.exec("DELETE FROM memberships WHERE id = ?", {mem}));
    return recordAudit(tx, p, {ws, self ? "member.leave" : "member.remove", "membership", mem},
                       now);
  });
}

}  // namespace mailjuke::core
