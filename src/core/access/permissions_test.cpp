#include "core/access/permissions.h"

#include <gtest/gtest.h>

namespace mailjuke::core {
namespace {

TEST(Permissions, MatchApiContract) {
  for (Action a : allActions()) EXPECT_TRUE(allowed(Role::kOwner, a));
  EXPECT_FALSE(allowed(Role::kAdmin, Action::kWorkspaceDelete));
  EXPECT_FALSE(allowed(Role::kAdmin, Action::kBillingManage));
  EXPECT_TRUE(allowed(Role::kAdmin, Action::kMembersManage));
  EXPECT_TRUE(allowed(Role::kMember, Action::kMailboxesWrite));
  EXPECT_FALSE(allowed(Role::kMember, Action::kBillingRead));
  EXPECT_FALSE(allowed(Role::kMember, Action::kAuditRead));
  EXPECT_TRUE(allowed(Role::kBilling, Action::kBillingManage));
  EXPECT_FALSE(allowed(Role::kBilling, Action::kDomainsRead));
  EXPECT_FALSE(allowed(Role::kViewer, Action::kCredentialsRead));
  EXPECT_FALSE(allowed(Role::kViewer, Action::kDomainsWrite));
  EXPECT_TRUE(allowed(Role::kViewer, Action::kDomainsRead));
}

TEST(Permissions, Granting) {
  EXPECT_TRUE(mayGrant(Role::kOwner, Role::kOwner));
  EXPECT_FALSE(mayGrant(Role::kAdmin, Role::kOwner));
  EXPECT_TRUE(mayGrant(Role::kAdmin, Role::kAdmin));
  EXPECT_FALSE(mayGrant(Role::kMember, Role::kViewer));
  EXPECT_EQ(parseRole("billing"), Role::kBilling);
  EXPECT_FALSE(parseRole("root").has_value());
}

}  // namespace
}  // namespace mailjuke::core
