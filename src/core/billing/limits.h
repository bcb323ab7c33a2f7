// Plan limits enforced in core (issue 6 "Quotas"): the mailbox count and the storage per mailbox
// of a workspace's plan; past-due workspaces cannot add domains or mailboxes (existing ones keep
// working until the subscription is canceled). Workspaces without a live subscription get the
// trial allowance ([billing] trial_mailboxes, trial_storage_mib).
#pragma once

#include <string>

#include "core/context.h"

namespace mailjuke::core::billing {

struct Limits {
  std::string plan_id;  // "trial" without a live subscription
  std::string status;   // none | active | past_due
  int64_t mailboxes = 0;
  int64_t storage_bytes_per_mailbox = 0;
};

Result<Limits> limitsFor(store::Tx& tx, const BillingSettings& s, const std::string& workspace_id);
// The one function other modules call (e.g. the IMAP/SMTP per-mailbox quota). Blocks on SQL.
Result<Limits> limitsFor(CoreContext& ctx, const std::string& workspace_id);

// 402 naming the limit and the upgrade path when `adding` more mailboxes would exceed the plan,
// or when the workspace is past due. Call inside the inserting transaction.
Status checkCanAddMailboxes(store::Tx& tx, const BillingSettings& s, const std::string& ws,
                            int64_t adding = 1);
// 402 when the workspace is past due.
Status checkCanAddDomains(store::Tx& tx, const BillingSettings& s, const std::string& ws);

}  // namespace mailjuke::core::billing
