// The one permission table (role × action) every transport obeys: HTTP API, CLI, SMTP, IMAP.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailjuke::core {

enum class Role { kOwner, kAdmin, kMember, kBilling, kViewer };

enum class Action {
  kWorkspaceRead,
  kWorkspaceUpdate,
  kWorkspaceDelete,
  kMembersRead,
  kMembersManage,
  kApiKeysRead,
  kApiKeysManage,
  kAuditRead,
  kDomainsRead,
  kDomainsWrite,
  kMailboxesRead,
  kMailboxesWrite,
  kCredentialsRead,
  kExport,
  kBillingRead,
  kBillingManage,
  kPrivacyManage,
};

bool allowed(Role role, Action action);
std::string_view roleName(Role role);
std::optional<Role> parseRole(std::string_view name);
std::string_view actionName(Action action);
const std::vector<Action>& allActions();
// Whether `actor` may give someone (or a key) the role `granted`.
bool mayGrant(Role actor, Role granted);

}  // namespace mailjuke::core
