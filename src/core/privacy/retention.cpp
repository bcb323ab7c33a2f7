#include "core/privacy/retention.h"

#include <filesystem>

#include "base/clock.h"
#include "core/notify/outbox.h"
#include "core/privacy/analytics.h"
#include "core/privacy/breaches.h"
#include "core/privacy/erasure.h"
#include "core/privacy/flags.h"
#include "core/privacy/legal_hold.h"
#include "core/privacy/workspace_erasure.h"
#include "core/privacy/workspace_export.h"

namespace mailjuke::core::privacy {
namespace {

constexpr int64_t kDay = 86400;

Result<int64_t> truncateIps(store::Tx& tx, const char* table, int64_t before) {
  // Rows already truncated carry a prefix length ("/24", "/48").
  MJ_TRY_ASSIGN(auto rows, tx.query(std::string("SELECT id, ip FROM ") + table +
                                        " WHERE created_at < ? AND ip IS NOT NULL AND ip NOT "
                                        "LIKE '%/%' LIMIT 5000",
                                    {before}));
  int64_t n = 0;
  for (const auto& r : rows) {
    std::string t = truncateIp(r.text(1));
    if (t == r.text(1)) t += "/0";  // not an address: mark it so it is not read again
    MJ_TRY(tx.exec(std::string("UPDATE ") + table + " SET ip = ? WHERE id = ?", {t, r.text(0)}));
    ++n;
  }
  return n;
}

Result<int64_t> dueWorkspaceDeletions(store::Tx& tx, const PrivacySettings& settings, int64_t now) {
  int64_t n = 0;
  // A warning a week before (the first warning went out when the deletion was scheduled).
  MJ_TRY_ASSIGN(auto warn, tx.query("SELECT d.workspace_id, d.scheduled_for FROM "
                                    "workspace_deletions d WHERE d.cancelled_at IS NULL AND "
                                    "d.completed_at IS NULL AND d.warned_at IS NULL AND "
                                    "d.scheduled_for <= ?",
                                    {now + 7 * kDay}));
  for (const auto& w : warn) {
    MJ_TRY_ASSIGN(auto members, tx.query("SELECT u.id, u.email FROM memberships m JOIN users u ON "
                                         "u.id = m.user_id WHERE m.workspace_id = ?",
                                         {w.text(0)}));
    for (const auto& m : members)
      MJ_TRY(enqueueEmail(
          tx,
          {"workspace_deletion_warning", m.text(1), m.text(0),
           "Workspace deletion on " + formatDate(w.integer(1)),
           "This workspace will be deleted with its domains, mailboxes and "
           "messages on " +
               formatDate(w.integer(1)) +
               ". Until then it can be cancelled (by the owner who asked for it, or the "
               "platform operator)."},
          now));
    MJ_TRY(tx.exec("UPDATE workspace_deletions SET warned_at = ? WHERE workspace_id = ?",
                   {now, w.text(0)}));
  }
  MJ_TRY_ASSIGN(auto due, tx.query("SELECT workspace_id FROM workspace_deletions WHERE "
                                   "cancelled_at IS NULL AND completed_at IS NULL AND "
                                   "scheduled_for <= ?",
                                   {now}));
  for (const auto& d : due) {
    MJ_TRY(completeWorkspaceErasure(tx, d.text(0), now));
    MJ_TRY(retireWorkspace(tx, settings, d.text(0), now));
    ++n;
  }
  return n;
}

Result<int64_t> expiredHolds(store::Tx& tx, const PrivacySettings& settings, int64_t now) {
  MJ_TRY_ASSIGN(auto holds, tx.query("SELECT id, scope_id FROM legal_holds WHERE scope = "
                                     "'workspace' AND purged_at IS NULL AND purge_after <= ?",
                                     {now}));
  int64_t n = 0;
  for (const auto& h : holds) {
    const std::string ws = h.text(1);
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT status FROM workspaces WHERE id = ?", {ws}));
    if (row && row->text(0) != "deleted") continue;  // deletion cancelled: the books live on
    // Records added since the hold was placed extend it (and get their purge_after).
    MJ_TRY_ASSIGN(auto until, holdWorkspaceBooks(tx, settings, ws, kHoldReason, now));
    if (until && *until > now) continue;
    MJ_TRY(purgeWorkspaceBooks(tx, ws, now));
    MJ_TRY(tx.exec("DELETE FROM workspaces WHERE id = ? AND status = 'deleted'", {ws}));
    MJ_TRY(tx.exec("UPDATE legal_holds SET purged_at = ? WHERE id = ?", {now, h.text(0)}));
    ++n;
  }
  return n;
}

Result<int64_t> expiredExports(store::Tx& tx, int64_t now) {
  MJ_TRY_ASSIGN(auto rows, tx.query("SELECT id, export_path FROM privacy_requests WHERE "
                                    "export_path IS NOT NULL AND export_expires_at <= ?",
                                    {now}));
  for (const auto& r : rows) {
    std::error_code ec;
    std::filesystem::remove(r.text(1), ec);
    MJ_TRY(tx.exec("UPDATE privacy_requests SET export_path = NULL WHERE id = ?", {r.text(0)}));
  }
  return int64_t(rows.size());
}

}  // namespace

const std::vector<RetentionRule>& retentionRules() {
  using Tx = store::Tx;
  using Ctx = CoreContext;
  using Settings = PrivacySettings;
  static const std::vector<RetentionRule> rules = {
      {"expired_sessions", "sessions", "deleted once expired or revoked",
       [](Tx& tx, const Ctx&, const Settings&, int64_t now) {
         return tx.exec("DELETE FROM sessions WHERE expires_at < ? OR revoked_at IS NOT NULL",
                        {now});
       }},
      {"expired_tokens", "user_tokens", "deleted once used or expired",
       [](Tx& tx, const Ctx&, const Settings&, int64_t now) {
         return tx.exec("DELETE FROM user_tokens WHERE expires_at < ? OR used_at IS NOT NULL",
                        {now});
       }},
      {"login_failures", "login_failures", "deleted after the throttling window",
       [](Tx& tx, const Ctx& ctx, const Settings&, int64_t now) {
         return tx.exec("DELETE FROM login_failures WHERE at < ?",
                        {now - ctx.settings.login_window_seconds});
       }},
      {"invitations", "invitations", "deleted 30 days after expiry",
       [](Tx& tx, const Ctx&, const Settings&, int64_t now) {
         return tx.exec("DELETE FROM invitations WHERE expires_at < ?", {now - 30 * kDay});
       }},
      {"idempotency_keys", "idempotency_keys", "deleted after 24 hours",
       [](Tx& tx, const Ctx&, const Settings&, int64_t now) {
         return tx.exec("DELETE FROM idempotency_keys WHERE created_at < ?", {now - kDay});
       }},
      {"sent_outbox", "outbox", "deleted 30 days after sending",
       [](Tx& tx, const Ctx&, const Settings&, int64_t now) {
         return tx.exec("DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?",
                        {now - 30 * kDay});
       }},
      {"audit_ip_truncation", "audit_events", "IP addresses truncated after 30 days (/24, /48)",
       [](Tx& tx, const Ctx&, const Settings&, int64_t now) {
         tx.touchAll();  // cached audit pages (AuditPageCache)
         return truncateIps(tx, "audit_events", now - 30 * kDay);
       }},
      {"security_log", "audit_events", "account-level security events deleted after 1 year",
       [](Tx& tx, const Ctx&, const Settings&, int64_t now) {
         return tx.exec("DELETE FROM audit_events WHERE workspace_id IS NULL AND created_at < ?",
                        {now - 365 * kDay});
       }},
      {"consent_ip_truncation", "consent_events", "IP addresses stored truncated",
       [](Tx& tx, const Ctx&, const Settings&, int64_t now) {
         return truncateIps(tx, "consent_events", now);
       }},
      {"verification_codes", "privacy_requests",
       "unverified codes void after 10 minutes; unverified requests deleted after 30 days",
       [](Tx& tx, const Ctx&, const Settings&, int64_t now) -> Result<int64_t> {
         MJ_TRY_ASSIGN(auto voided,
                       tx.exec("UPDATE privacy_requests SET status = 'void', code_hash = NULL, "
                               "updated_at = ? WHERE status = 'pending_verification' AND "
                               "code_expires_at < ?",
                               {now, now}));
         MJ_TRY_ASSIGN(auto gone, tx.exec("DELETE FROM privacy_requests WHERE status = 'void' AND "
                                          "received_at < ?",
                                          {now - 30 * kDay}));
         return voided + gone;
       }},
      {"exports", "privacy_requests", "export files deleted 5 days after they are ready",
       [](Tx& tx, const Ctx&, const Settings&, int64_t now) { return expiredExports(tx, now); }},
      {"closed_requests", "privacy_requests", "closed requests deleted after 3 years",
       [](Tx& tx, const Ctx&, const Settings&, int64_t now) {
         return tx.exec(
             "DELETE FROM privacy_requests WHERE status IN ('completed', 'refused') "
             "AND updated_at < ?",
             {now - 3 * 365 * kDay});
       }},
      {"workspace_deletions", "workspace_deletions",
       "solely owned workspaces of erased people deleted after the grace period",
       [](Tx& tx, const Ctx&, const Settings& settings, int64_t now) {
         return dueWorkspaceDeletions(tx, settings, now);
       }},
      {"deleted_workspaces", "workspaces",
       "deleted workspaces purged after 30 days (their books kept under a legal hold)",
       [](Tx& tx, const Ctx&, const Settings& settings, int64_t now) -> Result<int64_t> {
         MJ_TRY_ASSIGN(auto rows, tx.query("SELECT id FROM workspaces WHERE status = 'deleted' "
                                           "AND updated_at < ? AND id NOT IN (SELECT scope_id "
                                           "FROM legal_holds WHERE purged_at IS NULL)",
                                           {now - 30 * kDay}));
         for (const auto& r : rows) MJ_TRY(retireWorkspace(tx, settings, r.text(0), now));
         return int64_t(rows.size());
       }},
      {"stripe_events", "stripe_events", "payment provider events deleted after 90 days",
       [](Tx& tx, const Ctx&, const Settings&, int64_t now) {
         return tx.exec("DELETE FROM stripe_events WHERE received_at < ?", {now - 90 * kDay});
       }},
      {"fraud_reviews", "fraud_reviews", "decided reviews deleted 3 years after the decision",
       [](Tx& tx, const Ctx&, const Settings&, int64_t now) {
         return tx.exec("DELETE FROM fraud_reviews WHERE decided_at IS NOT NULL AND decided_at < ?",
                        {now - 3 * 365 * kDay});
       }},
      {"payments", "payments", "payments not on an invoice deleted after 10 years",
       [](Tx& tx, const Ctx&, const Settings&, int64_t now) -> Result<int64_t> {
         int64_t before = now - 10 * 365 * kDay;
         MJ_TRY(
             tx.exec("DELETE FROM fraud_reviews WHERE payment_id IN (SELECT id FROM payments "
                     "WHERE invoice_id IS NULL AND created_at < ?)",
                     {before}));
         MJ_TRY(
             tx.exec("DELETE FROM refunds WHERE payment_id IN (SELECT id FROM payments "
                     "WHERE invoice_id IS NULL AND created_at < ?)",
                     {before}));
         return tx.exec("DELETE FROM payments WHERE invoice_id IS NULL AND created_at < ?",
                        {before});
       }},
      {"workspace_export_files", "workspace_exports", "export files deleted after 5 days",
       [](Tx& tx, const Ctx&, const Settings&, int64_t now) {
         return expireWorkspaceExports(tx, now);
       }},
      {"analytics_events", "analytics_events",
       "complete days aggregated into counts; raw rows deleted after 13 months",
       [](Tx& tx, const Ctx&, const Settings&, int64_t now) -> Result<int64_t> {
         MJ_TRY(aggregateAnalytics(tx, now));
         return tx.exec("DELETE FROM analytics_events WHERE aggregated = 1 AND created_at < ?",
                        {now - kAnalyticsRawDays * kDay});
       }},
      {"legal_holds", "legal_holds",
       "invoices, credit notes, payments and whole ledger transactions purged when the legal "
       "period of their country ends (default 10 years)",
       [](Tx& tx, const Ctx&, const Settings& settings, int64_t now) {
         return expiredHolds(tx, settings, now);
       }},
  };
  return rules;
}

Result<Json> runRetention(CoreContext& ctx, const PrivacySettings& settings) {
  int64_t now = ctx.clock.nowSeconds();
  Json out = Json::object();
  for (const auto& rule : retentionRules()) {
    MJ_TRY_ASSIGN(int64_t n, ctx.db.write<int64_t>(
                                 [&](store::Tx& tx) { return rule.run(tx, ctx, settings, now); }));
    out[std::string(rule.name)] = n;
  }
  // Not retention, but the same hourly tick: the 72-hour breach notification alert.
  MJ_TRY_ASSIGN(int64_t alerts, ctx.db.write<int64_t>([&](store::Tx& tx) {
    return raiseBreachAlerts(tx, ctx, now);
  }));
  out["breach_alerts"] = alerts;
  return out;
}

}  // namespace mailjuke::core::privacy
