#include "core/mail/mail_changes.h"

#include <gtest/gtest.h>

#include <thread>

namespace mailjuke::core {
namespace {

TEST(MailChanges, NotifiesSubscribersOfTheMailboxExceptTheOrigin) {
  MailChanges hub;
  int a = 0, b = 0, other = 0;
  int session_a = 0, session_b = 0;  // their addresses are the origins
  auto sa = hub.subscribe("mbx_1", &session_a, [&] { ++a; });
  auto sb = hub.subscribe("mbx_1", &session_b, [&] { ++b; });
  auto so = hub.subscribe("mbx_2", nullptr, [&] { ++other; });
  hub.notify("mbx_1");  // SMTP delivery: no origin
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, 1);
  EXPECT_EQ(other, 0);
  {
    MailChanges::Scope scope(&session_a);  // session A's own STORE
    hub.notify("mbx_1");
    {
      MailChanges::Scope nested(nullptr);  // A's APPEND: everyone hears it
      hub.notify("mbx_1");
    }
    hub.notify("mbx_1");
  }
  EXPECT_EQ(a, 2);
  EXPECT_EQ(b, 4);
  // The origin is per thread.
  MailChanges::Scope scope(&session_b);
  std::thread([&] { hub.notify("mbx_1"); }).join();
  EXPECT_EQ(b, 5);
  EXPECT_EQ(hub.subscribers(), 3u);
  sb.reset();
  hub.notify("mbx_1");
  EXPECT_EQ(b, 5);
  EXPECT_EQ(hub.subscribers(), 2u);
}

TEST(MailChanges, ANarrowedSubscriberHearsItsFolderAndWholeMailboxChangesOnly) {
  MailChanges hub;
  int inbox = 0, all = 0;
  auto si = hub.subscribe("mbx_1", nullptr, [&] { ++inbox; });
  auto sa = hub.subscribe("mbx_1", nullptr, [&] { ++all; });
  si->narrowTo("fld_inbox");
  hub.notify("mbx_1", "fld_sent");  // an APPEND to Sent
  EXPECT_EQ(inbox, 0);
  EXPECT_EQ(all, 1);
  hub.notify("mbx_1", "fld_inbox");
  hub.notify("mbx_1");  // another node, or a folder not known to the notifier
  EXPECT_EQ(inbox, 2);
  EXPECT_EQ(all, 3);
  si->narrowTo("");  // unselected: hears everything again
  hub.notify("mbx_1", "fld_sent");
  EXPECT_EQ(inbox, 3);
}

}  // namespace
}  // namespace mailjuke::core
