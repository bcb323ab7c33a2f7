#include "core/mail/remote_changes.h"

#include <gtest/gtest.h>

#include "core/mail/imap_store.h"
#include "core/mail/mail_store.h"
#include "core/mail/mail_test_util.h"

namespace mailjuke::core {
namespace {

using testing::MailDbTest;

// Two nodes on one database: each has its own MailStore (and so its own MailChanges hub).
class RemoteChangesTest : public MailDbTest {
 protected:
  void SetUp() override {
    MailDbTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    node_a_ = std::make_unique<MailStore>(*ctx_, *blobs_);
    node_b_ = std::make_unique<MailStore>(*ctx_, *blobs_);
    imap_b_ = std::make_unique<ImapStore>(*ctx_, *node_b_);
    mbx_ = makeMailbox("alice");
    other_ = makeMailbox("bob");
  }
  void deliverOnB(const std::string& mailbox_id) {
    AcceptedMessage m;
    m.content = "Subject: x\r\n\r\nbody\r\n";
    m.envelope_from = "x@remote.test";
    m.local.push_back({mailbox_id, "INBOX", {}, true});
    m.received_at = 1700000000;
    ASSERT_TRUE(node_b_->accept(m).ok());
  }

  std::unique_ptr<MailStore> node_a_, node_b_;
  std::unique_ptr<ImapStore> imap_b_;
  std::string mbx_, other_;
};

TEST_P(RemoteChangesTest, AnotherNodesChangesReachThisNodesSubscribers) {
  RemoteChanges poller(*ctx_, node_a_->changes());
  EXPECT_EQ(*poller.pollOnce(), 0u);  // nothing watched: no query at all
  int changes = 0;
  auto sub = node_a_->changes().subscribe(mbx_, nullptr, [&] { ++changes; });
  EXPECT_EQ(node_a_->changes().watchedMailboxes(), std::vector<std::string>{mbx_});
  EXPECT_EQ(*poller.pollOnce(), 0u);  // first sight: the state to compare with
  deliverOnB(mbx_);
  EXPECT_EQ(changes, 0);  // node B's hub only
  auto n = poller.pollOnce();
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, 1u);
  EXPECT_EQ(changes, 1);
  EXPECT_EQ(*poller.pollOnce(), 0u);  // nothing new
  EXPECT_EQ(changes, 1);

  // Flags and expunges move HIGHESTMODSEQ; another mailbox's changes are not ours.
  auto inbox = imap_b_->folder(mbx_, "INBOX").value().id;
  ASSERT_TRUE(imap_b_->storeFlags(inbox, {1}, {FlagMode::kAdd, {"\\Deleted"}, {}}).ok());
  deliverOnB(other_);
  EXPECT_EQ(*poller.pollOnce(), 1u);
  EXPECT_EQ(changes, 2);
  ASSERT_TRUE(imap_b_->expunge(inbox).ok());
  EXPECT_EQ(*poller.pollOnce(), 1u);
  EXPECT_EQ(changes, 3);
  ASSERT_TRUE(imap_b_->createFolder(mbx_, "Projects").ok());
  EXPECT_EQ(*poller.pollOnce(), 1u);
  EXPECT_EQ(changes, 4);

  // Unwatched mailboxes are forgotten: watched again, they start from a fresh state.
  sub.reset();
  EXPECT_TRUE(node_a_->changes().watchedMailboxes().empty());
  EXPECT_EQ(*poller.pollOnce(), 0u);
  deliverOnB(mbx_);
  sub = node_a_->changes().subscribe(mbx_, nullptr, [&] { ++changes; });
  EXPECT_EQ(*poller.pollOnce(), 0u);
  EXPECT_EQ(changes, 4);
}

INSTANTIATE_TEST_SUITE_P(Engines, RemoteChangesTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace mailjuke::core
