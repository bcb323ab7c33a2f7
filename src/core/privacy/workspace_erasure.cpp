#include "core/privacy/workspace_erasure.h"

#include "base/clock.h"
#include "core/audit/audit_log.h"
#include "core/notify/outbox.h"
#include "core/privacy/request_util.h"

namespace mailjuke::core::privacy {
namespace {

Status tellMembers(store::Tx& tx, const std::string& ws, const std::string& subject,
                   const std::string& text, int64_t now) {
  MJ_TRY_ASSIGN(auto members, tx.query("SELECT u.id, u.email FROM memberships m JOIN users u ON "
                                       "u.id = m.user_id WHERE m.workspace_id = ? AND u.status "
                                       "<> 'erased'",
                                       {ws}));
  for (const auto& m : members)
    MJ_TRY(
        enqueueEmail(tx, {"workspace_deletion_warning", m.text(1), m.text(0), subject, text}, now));
  return {};
}

}  // namespace

Result<Json> scheduleWorkspaceErasure(store::Tx& tx, const CoreContext& ctx,
                                      const PrivacySettings& settings, const Principal& p,
                                      const std::string& ws, const std::string& request_id,
                                      int64_t now) {
  MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT m.role, w.name FROM memberships m JOIN workspaces w "
                                      "ON w.id = m.workspace_id WHERE m.workspace_id = ? AND "
                                      "m.user_id = ? AND w.status <> 'deleted'",
                                      {ws, p.user_id}));
  if (!row) return Error::notFound("workspace");
  if (row->text(0) != "owner")
    return Error::make(ErrorCode::kForbidden, "only an owner may erase the whole workspace");
  MJ_TRY_ASSIGN(auto pending, tx.queryOne("SELECT scheduled_for FROM workspace_deletions WHERE "
                                          "workspace_id = ? AND cancelled_at IS NULL AND "
                                          "completed_at IS NULL",
                                          {ws}));
  if (pending)
    return Error::make(ErrorCode::kConflict, "the workspace is already scheduled for deletion on " +
                                                 formatDate(pending->integer(0)));
  const int64_t due = now + settings.workspace_grace_days * 86400;
  // A cancelled earlier deletion leaves its row (one per workspace): it is scheduled anew.
  MJ_TRY(tx.exec("DELETE FROM workspace_deletions WHERE workspace_id = ?", {ws}));
  MJ_TRY(
      tx.exec("INSERT INTO workspace_deletions (workspace_id, requested_by, scheduled_for, "
              "created_at, request_id) VALUES (?,?,?,?,?)",
              {ws, p.user_id, due, now, request_id}));
  const std::string name = row->text(1);
  MJ_TRY(tellMembers(tx, ws, "Workspace \"" + name + "\" will be deleted on " + formatDate(due),
                     "Hello,\n\nAn owner of the workspace \"" + name +
                         "\" has asked for it to be erased. The workspace, its domains, "
                         "mailboxes and messages will be deleted on " +
                         formatDate(due) + " (" + ctx.settings.platform_name +
                         " keeps only invoices and bookkeeping records, restricted, for the "
                         "period the law requires). Until then the owner can cancel; export "
                         "anything you need to keep before that day.",
                     now));
  Json outcome = {{"workspace_id", ws}, {"delete_after", formatRfc3339(due)}};
  MJ_TRY(recordAudit(tx, p,
                     {ws,
                      "workspace.erasure_requested",
                      "workspace",
                      ws,
                      {{"request_id", request_id}, {"delete_after", formatRfc3339(due)}}},
                     now));
  MJ_TRY(addRequestEvent(tx, request_id, "system", "scheduled",
                         "workspace " + ws + " will be deleted on " + formatRfc3339(due), now));
  return outcome;
}

Status cancelWorkspaceErasure(store::Tx& tx, const Principal& p, const std::string& request_id,
                              int64_t now) {
  MJ_TRY_ASSIGN(auto req, tx.queryOne("SELECT user_id, status FROM privacy_requests WHERE id = ?",
                                      {request_id}));
  if (!req || req->text(0) != p.user_id) return Error::notFound("privacy request");
  MJ_TRY_ASSIGN(auto del, tx.queryOne("SELECT d.workspace_id, w.name FROM workspace_deletions d "
                                      "JOIN workspaces w ON w.id = d.workspace_id WHERE "
                                      "d.request_id = ? AND d.cancelled_at IS NULL AND "
                                      "d.completed_at IS NULL",
                                      {request_id}));
  if (!del)
    return Error::make(ErrorCode::kConflict,
                       "only a scheduled workspace erasure can be cancelled, before its date");
  const std::string ws = del->text(0);
  MJ_TRY(
      tx.exec("UPDATE workspace_deletions SET cancelled_at = ? WHERE workspace_id = ?", {now, ws}));
  MJ_TRY(
      tx.exec("DELETE FROM legal_holds WHERE scope = 'workspace' AND scope_id = ? AND "
              "purged_at IS NULL",
              {ws}));
  MJ_TRY(
      tx.exec("UPDATE privacy_requests SET status = 'cancelled', resolution = ?, updated_at = "
              "? WHERE id = ?",
              {std::string("cancelled by the requester; the workspace stays"), now, request_id}));
  MJ_TRY(addRequestEvent(tx, request_id, "user:" + p.user_id, "cancelled", "", now));
  MJ_TRY(recordAudit(
      tx, p, {ws, "workspace.erasure_cancelled", "workspace", ws, {{"request_id", request_id}}},
      now));
  return tellMembers(tx, ws, "Workspace \"" + del->text(1) + "\" will not be deleted",
                     "Hello,\n\nThe deletion of the workspace \"" + del->text(1) +
                         "\" has been cancelled by its owner. Nothing changes.",
                     now);
}

Result<Json> pendingWorkspaceErasure(store::Tx& tx, const std::string& ws,
                                     const std::string& user_id) {
  MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT request_id, scheduled_for, requested_by FROM "
                                      "workspace_deletions WHERE workspace_id = ? AND "
                                      "cancelled_at IS NULL AND completed_at IS NULL",
                                      {ws}));
  if (!row) return Json(nullptr);
  Json out = {{"request_id", row->isNull(0) ? Json(nullptr) : Json(row->text(0))},
              {"delete_after", formatRfc3339(row->integer(1))},
              {"cancellable", !row->isNull(0) && !user_id.empty() && row->text(2) == user_id}};
  return out;
}

Status completeWorkspaceErasure(store::Tx& tx, const std::string& ws, int64_t now) {
  MJ_TRY_ASSIGN(auto del, tx.queryOne("SELECT request_id FROM workspace_deletions WHERE "
                                      "workspace_id = ? AND request_id IS NOT NULL",
                                      {ws}));
  if (!del) return {};
  const std::string id = del->text(0);
  MJ_TRY_ASSIGN(auto n, tx.exec("UPDATE privacy_requests SET status = 'completed', resolution = "
                                "?, updated_at = ? WHERE id = ? AND status = 'processing'",
                                {std::string("workspace erased; invoices and bookkeeping records "
                                             "kept restricted for the legal period"),
                                 now, id}));
  if (n == 0) return {};
  MJ_TRY(addRequestEvent(tx, id, "system", "completed",
                         "workspace " + ws +
                             ": domains, mailboxes, messages, members, keys and "
                             "audit trail deleted; books under a legal hold",
                         now));
  return tellRequester(tx, id, "Your workspace has been erased",
                       "The workspace " + ws + " has been erased (request " + id +
                           "). Invoices and bookkeeping records are kept, restricted, for the "
                           "period the law requires, then deleted.",
                       now);
}

}  // namespace mailjuke::core::privacy
