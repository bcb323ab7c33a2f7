// Erasure (Art. 17), driven by the data inventory: sessions and API keys revoked at once; every
// row linked to the person deleted, cleared or HMAC-pseudonymised per its columns' erase
// actions; ledger and invoice records kept restricted under a legal hold; workspaces the person
// solely owns scheduled for deletion after the grace period (others are told by e-mail). Mail
// in workspaces owned by others stays: it is the organisation's data (policy §2).
#pragma once

#include <string>

#include "base/json.h"
#include "core/context.h"
#include "core/privacy/privacy_settings.h"

namespace mailjuke::core::privacy {

// Runs in the caller's transaction. Returns a summary ({tables: {name: rows}, workspaces_
// scheduled: [...], legal_holds: n}). The caller stores the request's history.
Result<Json> eraseAccount(store::Tx& tx, const CoreContext& ctx, const PrivacySettings& settings,
                          const std::string& user_id, int64_t now);

// Deletes a workspace's domains, mailboxes (and their mail), jobs, members, keys, invitations
// and audit trail; the workspace row itself stays (status 'deleted') while a legal hold keeps
// its ledger. Used when a scheduled deletion falls due.
Status purgeWorkspace(store::Tx& tx, const std::string& workspace_id, int64_t now);

inline constexpr const char* kHoldReason =
    "invoices, payments and ledger entries (Art. 17(3)(b), bookkeeping law)";

// purgeWorkspace, then its live subscriptions end and its books go under a legal hold
// (holdWorkspaceBooks). A scheduled deletion falling due and a deleted workspace's purge.
Status retireWorkspace(store::Tx& tx, const PrivacySettings& settings,
                       const std::string& workspace_id, int64_t now);

}  // namespace mailjuke::core::privacy
