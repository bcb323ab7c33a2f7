#include "core/privacy/erasure.h"

#include <map>
#include <set>

#include "base/clock.h"
#include "base/ids.h"
#include "core/audit/audit_log.h"
#include "core/notify/outbox.h"
#include "core/privacy/analytics.h"
#include "core/privacy/data_inventory.h"
#include "core/privacy/flags.h"
#include "core/privacy/legal_hold.h"
#include "core/privacy/schema_info.h"
#include "core/privacy/subject_links.h"

namespace mailjuke::core::privacy {
namespace {

const TableUse* findTable(std::string_view name) {
  for (const auto& t : dataInventory())
    if (t.table == name) return &t;
  return nullptr;
}

bool listed(const SubjectLink& link, std::string_view column) {
  if (link.columns.empty()) return true;
  for (auto c : link.columns)
    if (c == column) return true;
  return false;
}

// A row found through this link goes entirely when the link column itself is erased by
// deletion, or when every personal column of the table is (sessions, tokens, e-mails).
bool deletesRows(const TableUse& t, const SubjectLink& link) {
  bool all_delete = true, any_personal = false;
  for (const auto& c : t.columns) {
    if (c.category == Category::kNotPersonal) continue;
    any_personal = true;
    if (c.column == link.column && c.erase == Erase::kDelete) return true;
    if (c.erase != Erase::kDelete) all_delete = false;
  }
  return any_personal && all_delete && link.columns.empty();
}

Result<int64_t> eraseLink(store::Tx& tx, const CoreContext& ctx, const SubjectLink& link,
                          const std::string& value) {
  const TableUse* t = findTable(link.table);
  if (!t) return int64_t(0);
  std::string table(link.table), where = " WHERE " + std::string(link.column) + " = ?";
  if (link.table == "audit_events") tx.touchAll();  // cached audit pages (AuditPageCache)
  if (deletesRows(*t, link)) return tx.exec("DELETE FROM " + table + where, {value});
  MJ_TRY_ASSIGN(auto cnt, tx.queryOne("SELECT COUNT(*) FROM " + table + where, {value}));
  int64_t rows = cnt ? cnt->integer(0) : 0;
  if (rows == 0) return rows;
  // Clear and pseudonymise the other columns first, the link column last (it is the key).
  const ColumnUse* link_col = nullptr;
  for (const auto& c : t->columns) {
    if (c.category == Category::kNotPersonal || !listed(link, c.column)) continue;
    if (c.column == link.column) {
      link_col = &c;
      continue;
    }
    std::string col(c.column);
    if (c.erase == Erase::kNull || c.erase == Erase::kDelete) {
      MJ_TRY_ASSIGN(auto blank, blankValue(tx, table, col));
      MJ_TRY(tx.exec("UPDATE " + table + " SET " + col + " = ?" + where, {blank, value}));
    } else if (c.erase == Erase::kPseudonymise) {
      MJ_TRY_ASSIGN(auto vals, tx.query("SELECT DISTINCT " + col + " FROM " + table + where +
                                            " AND " + col + " IS NOT NULL",
                                        {value}));
      for (const auto& v : vals)
        MJ_TRY(tx.exec("UPDATE " + table + " SET " + col + " = ?" + where + " AND " + col + " = ?",
                       {pseudonym(ctx.secret_key, v.text(0)), value, v.text(0)}));
    }
    // kRetainRestricted: kept; access is restricted by the account's erased status.
  }
  if (link_col && link_col->erase == Erase::kPseudonymise) {
    MJ_TRY(tx.exec("UPDATE " + table + " SET " + std::string(link.column) + " = ?" + where,
                   {pseudonym(ctx.secret_key, value), value}));
  } else if (link_col && link_col->erase == Erase::kNull) {
    MJ_TRY_ASSIGN(auto blank, blankValue(tx, table, std::string(link.column)));
    MJ_TRY(tx.exec("UPDATE " + table + " SET " + std::string(link.column) + " = ?" + where,
                   {blank, value}));
  }
  return rows;
}

}  // namespace

Result<Json> eraseAccount(store::Tx& tx, const CoreContext& ctx, const PrivacySettings& settings,
                          const std::string& user_id, int64_t now) {
  MJ_TRY_ASSIGN(auto user, tx.queryOne("SELECT email, status FROM users WHERE id = ?", {user_id}));
  if (!user) return Error::notFound("account");
  if (user->text(1) == "erased") return Error::make(ErrorCode::kConflict, "already erased");
  const std::string email = user->text(0);
  Json summary = {
      {"tables", Json::object()}, {"workspaces_scheduled", Json::array()}, {"legal_holds", 0}};

  // Their pseudonymous analytics rows (found by the HMAC of their id); counts already made stay.
  MJ_TRY(tx.exec("DELETE FROM analytics_events WHERE subject_hmac = ?",
                 {analyticsSubject(ctx.secret_key, user_id)}));

  // At once: API keys the person created stop working (sessions go with the links below).
  MJ_TRY(tx.exec("UPDATE api_keys SET revoked_at = ? WHERE created_by = ? AND revoked_at IS NULL",
                 {now, user_id}));

  // Workspaces with no other owner: scheduled for deletion after the grace period.
  MJ_TRY_ASSIGN(auto sole,
                tx.query("SELECT m.workspace_id, w.name FROM memberships m JOIN workspaces w "
                         "ON w.id = m.workspace_id WHERE m.user_id = ? AND m.role = 'owner' "
                         "AND w.status <> 'deleted' AND NOT EXISTS (SELECT 1 FROM "
                         "memberships o WHERE o.workspace_id = m.workspace_id AND o.role = "
                         "'owner' AND o.user_id <> ?)",
                         {user_id, user_id}));
  int64_t due = now + settings.workspace_grace_days * 86400;
  for (const auto& w : sole) {
    std::string ws = w.text(0);
    // A pending deletion (the owner's own erasure request) stays; a cancelled one is replaced.
    MJ_TRY_ASSIGN(auto existing, tx.queryOne("SELECT 1 FROM workspace_deletions WHERE "
                                             "workspace_id = ? AND cancelled_at IS NULL",
                                             {ws}));
    if (!existing) {
      MJ_TRY(tx.exec("DELETE FROM workspace_deletions WHERE workspace_id = ?", {ws}));
      MJ_TRY(
          tx.exec("INSERT INTO workspace_deletions (workspace_id, requested_by, scheduled_for, "
                  "created_at) VALUES (?,?,?,?)",
                  {ws, user_id, due, now}));
    }
    summary["workspaces_scheduled"].push_back({{"id", ws}, {"delete_after", formatRfc3339(due)}});
    // Everyone else in the workspace is warned and can ask the operator to cancel.
    MJ_TRY_ASSIGN(auto members, tx.query("SELECT u.id, u.email FROM memberships m JOIN users u ON "
                                         "u.id = m.user_id WHERE m.workspace_id = ? AND u.id <> ?",
                                         {ws, user_id}));
    for (const auto& m : members)
      MJ_TRY(enqueueEmail(
          tx,
          {"workspace_deletion_warning", m.text(1), m.text(0),
           "Workspace \"" + w.text(1) + "\" will be deleted on " + formatDate(due),
           "Hello,\n\nThe only owner of the workspace \"" + w.text(1) +
               "\" has had their account erased. The workspace, its domains, mailboxes and "
               "messages will be deleted on " +
               formatDate(due) +
               ". To keep it, contact the platform operator before then to take over "
               "ownership; the deletion can be cancelled until that day."},
          now));
    // Bookkeeping law: the workspace's books stay, restricted, for the legal period.
    MJ_TRY_ASSIGN(auto hold, holdWorkspaceBooks(tx, settings, ws, kHoldReason, now));
    if (hold) summary["legal_holds"] = summary["legal_holds"].get<int>() + 1;
  }

  // The inventory walk: every linked row deleted, cleared or pseudonymised.
  for (const auto& link : subjectLinks()) {
    std::string value = std::string(link.prefix) + (link.by == LinkBy::kUserId ? user_id : email);
    MJ_TRY_ASSIGN(int64_t n, eraseLink(tx, ctx, link, value));
    if (n) {
      auto& t = summary["tables"][std::string(link.table)];
      t = (t.is_null() ? 0 : t.get<int64_t>()) + n;
    }
  }
  MJ_TRY(
      tx.exec("UPDATE users SET status = 'erased', updated_at = ? WHERE id = ?", {now, user_id}));
  return summary;
}

Status purgeWorkspace(store::Tx& tx, const std::string& ws, int64_t now) {
  tx.touch(auditTag(ws));
  MJ_TRY(
      tx.exec("DELETE FROM mail_queue WHERE sender_mailbox_id IN (SELECT id FROM mailboxes "
              "WHERE workspace_id = ?)",
              {ws}));
  MJ_TRY(tx.exec("DELETE FROM mailboxes WHERE workspace_id = ?", {ws}));
  MJ_TRY(tx.exec("DELETE FROM domains WHERE workspace_id = ?", {ws}));
  for (const char* table : {"jobs", "memberships", "invitations", "api_keys", "audit_events",
                            "wallet_auto_top_ups", "billing_customers"})
    MJ_TRY(tx.exec(std::string("DELETE FROM ") + table + " WHERE workspace_id = ?", {ws}));
  MJ_TRY(tx.exec("UPDATE zone_state SET version = version + 1"));
  MJ_TRY(tx.exec("UPDATE mailbox_state SET version = version + 1"));
  MJ_TRY(tx.exec("DELETE FROM billing_details WHERE workspace_id = ?", {ws}));
  MJ_TRY_ASSIGN(bool books, hasBooks(tx, ws));
  if (books) {
    MJ_TRY(
        tx.exec("UPDATE workspaces SET status = 'deleted', settings = '{}', updated_at = ? "
                "WHERE id = ?",
                {now, ws}));
  } else {
    MJ_TRY(tx.exec("DELETE FROM workspaces WHERE id = ?", {ws}));
  }
  MJ_TRY(
      tx.exec("UPDATE workspace_deletions SET completed_at = ? WHERE workspace_id = ?", {now, ws}));
  return {};
}

Status retireWorkspace(store::Tx& tx, const PrivacySettings& settings, const std::string& ws,
                       int64_t now) {
  MJ_TRY(
      tx.exec("UPDATE subscriptions SET status = 'canceled', canceled_at = ?, updated_at = ? "
              "WHERE workspace_id = ? AND status <> 'canceled'",
              {now, now, ws}));
  MJ_TRY(purgeWorkspace(tx, ws, now));
  MJ_TRY(holdWorkspaceBooks(tx, settings, ws, kHoldReason, now));
  return {};
}

}  // namespace mailjuke::core::privacy
