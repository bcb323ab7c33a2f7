// Whole-workspace erasure asked by its owner (the organisation is controller of a workspace's
// content, policy §2): an `erasure` privacy request with a `workspace_id`. Only an owner may
// (other members 403, outsiders 404). The workspace is scheduled for deletion after the grace
// period (privacy.workspace_grace_days), every member is e-mailed at once and 7 days before
// (retention), the requester can cancel until then; when it falls due the retention job deletes
// its domains, mailboxes, messages (their blobs go with the mail store's garbage collection),
// members, keys and audit trail, keeps its books under a legal hold (legal_hold.h) and completes
// the request. The request's history stays.
#pragma once

#include <string>

#include "base/json.h"
#include "core/access/principal.h"
#include "core/context.h"
#include "core/privacy/privacy_settings.h"

namespace mailjuke::core::privacy {

// In the request's transaction (the request row exists): checks the owner, schedules the
// deletion, warns the members, audits. Returns the outcome ({workspace_id, delete_after}).
Result<Json> scheduleWorkspaceErasure(store::Tx& tx, const CoreContext& ctx,
                                      const PrivacySettings& settings, const Principal& p,
                                      const std::string& workspace_id,
                                      const std::string& request_id, int64_t now);

// The owner cancels before the date: the deletion is cancelled, the request too (history),
// members are told. kConflict when it is no longer pending.
Status cancelWorkspaceErasure(store::Tx& tx, const Principal& p, const std::string& request_id,
                              int64_t now);

// The pending owner-requested deletion of `workspace_id` for the dashboard: {request_id,
// delete_after, cancellable (whether `user_id` asked for it)}, or null.
Result<Json> pendingWorkspaceErasure(store::Tx& tx, const std::string& workspace_id,
                                     const std::string& user_id);

// Called when the scheduled deletion of `workspace_id` has run: completes its request, if any.
Status completeWorkspaceErasure(store::Tx& tx, const std::string& workspace_id, int64_t now);

}  // namespace mailjuke::core::privacy
