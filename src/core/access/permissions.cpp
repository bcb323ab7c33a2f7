#include "core/access/permissions.h"

namespace mailjuke::core {

// API.md: owner everything; admin everything but billing ownership and deleting the workspace;
// member domains, mailboxes, exports; billing billing only; viewer read-only, no credentials.
bool allowed(Role role, Action a) {
  switch (role) {
    case Role::kOwner:
      return true;
    case Role::kAdmin:
      return a != Action::kWorkspaceDelete && a != Action::kBillingManage;
    case Role::kMember:
      switch (a) {
        case Action::kWorkspaceRead:
        case Action::kMembersRead:
        case Action::kDomainsRead:
        case Action::kDomainsWrite:
        case Action::kMailboxesRead:
        case Action::kMailboxesWrite:
        case Action::kCredentialsRead:
        case Action::kExport:
          return true;
        default:
          return false;
      }
    case Role::kBilling:
      return a == Action::kWorkspaceRead || a == Action::kBillingRead ||
             a == Action::kBillingManage;
    case Role::kViewer:
      switch (a) {
        case Action::kWorkspaceRead:
        case Action::kMembersRead:
        case Action::kDomainsRead:
        case Action::kMailboxesRead:
        case Action::kBillingRead:
          return true;
        default:
          return false;
      }
  }
  return false;
}

std::string_view roleName(Role role) {
  switch (role) {
    case Role::kOwner:
      return "owner";
    case Role::kAdmin:
      return "admin";
    case Role::kMember:
      return "member";
    case Role::kBilling:
      return "billing";
    case Role::kViewer:
      return "viewer";
  }
  return "viewer";
}

std::optional<Role> parseRole(std::string_view name) {
  for (Role r : {Role::kOwner, Role::kAdmin, Role::kMember, Role::kBilling, Role::kViewer})
    if (roleName(r) == name) return r;
  return std::nullopt;
}

std::string_view actionName(Action a) {
  switch (a) {
    case Action::kWorkspaceRead:
      return "workspace.read";
    case Action::kWorkspaceUpdate:
      return "workspace.update";
    case Action::kWorkspaceDelete:
      return "workspace.delete";
    case Action::kMembersRead:
      return "members.read";
    case Action::kMembersManage:
      return "members.manage";
    case Action::kApiKeysRead:
      return "api_keys.read";
    case Action::kApiKeysManage:
      return "api_keys.manage";
    case Action::kAuditRead:
      return "audit.read";
    case Action::kDomainsRead:
      return "domains.read";
    case Action::kDomainsWrite:
      return "domains.write";
    case Action::kMailboxesRead:
      return "mailboxes.read";
    case Action::kMailboxesWrite:
      return "mailboxes.write";
    case Action::kCredentialsRead:
      return "credentials.read";
    case Action::kExport:
      return "export";
    case Action::kBillingRead:
      return "billing.read";
    case Action::kBillingManage:
      return "billing.manage";
    case Action::kPrivacyManage:
      return "privacy.manage";
  }
  return "unknown";
}

const std::vector<Action>& allActions() {
  static const std::vector<Action> kAll = {
      Action::kWorkspaceRead,   Action::kWorkspaceUpdate, Action::kWorkspaceDelete,
      Action::kMembersRead,     Action::kMembersManage,   Action::kApiKeysRead,
      Action::kApiKeysManage,   Action::kAuditRead,       Action::kDomainsRead,
      Action::kDomainsWrite,    Action::kMailboxesRead,   Action::kMailboxesWrite,
      Action::kCredentialsRead, Action::kExport,          Action::kBillingRead,
      Action::kBillingManage,   Action::kPrivacyManage};
  return kAll;
}

bool mayGrant(Role actor, Role granted) {
  // Only owners make owners; admins may grant any other role; other roles manage nobody.
  if (actor == Role::kOwner) return true;
  return actor == Role::kAdmin && granted != Role::kOwner;
}

}  // namespace mailjuke::core
