#include "core/mail/imap_store.h"

#include <gtest/gtest.h>

#include "core/mail/folders.h"
#include "core/mail/mail_test_util.h"

namespace mailjuke::core {
namespace {

using testing::MailDbTest;

class ImapStoreTest : public MailDbTest {
 protected:
  void SetUp() override {
    MailDbTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    mail_ = std::make_unique<MailStore>(*ctx_, *blobs_);
    imap_ = std::make_unique<ImapStore>(*ctx_, *mail_);
    mbx_ = makeMailbox("alice");
  }
  void deliver(const std::string& subject, std::vector<std::string> flags = {}) {
    AcceptedMessage m;
    m.content = "Subject: " + subject + "\r\n\r\nbody\r\n";
    m.envelope_from = "x@remote.test";
    m.local.push_back({mbx_, "INBOX", std::move(flags), true});
    m.received_at = 1700000000;
    ASSERT_TRUE(mail_->accept(m).ok());
  }
  std::string inboxId() { return imap_->folder(mbx_, "inbox").value().id; }

  std::unique_ptr<MailStore> mail_;
  std::unique_ptr<ImapStore> imap_;
  std::string mbx_;
};

TEST(ImapFlagsTest, CanonicalSplitJoin) {
  EXPECT_EQ(canonicalFlag("\\SEEN"), "\\Seen");
  EXPECT_EQ(canonicalFlag("$Forwarded"), "$Forwarded");
  auto f = splitFlags("  \\seen $Label \\Seen \\flagged ");
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0], "\\Seen");
  EXPECT_EQ(f[2], "\\Flagged");
  EXPECT_EQ(joinFlagList(f), "\\Seen $Label \\Flagged");
  EXPECT_TRUE(hasFlag(f, "$label"));
}

TEST_P(ImapStoreTest, FoldersStatusAndMessagesInUidOrder) {
  ASSERT_TRUE(db_->run(store::TxMode::kWrite,
                       [&](store::Tx& tx) { return createDefaultFolders(tx, mbx_, 5); })
                  .ok());
  auto folders = imap_->folders(mbx_);
  ASSERT_TRUE(folders.ok()) << folders.error().message;
  ASSERT_EQ(folders->size(), 6u);
  EXPECT_EQ((*folders)[0].name, "INBOX");
  bool junk = false;  // (makeMailbox made Sent without special-use; createDefaultFolders kept it)
  for (auto& f : *folders)
    if (f.name == "Junk") junk = f.special_use == std::optional<std::string>("\\Junk");
  EXPECT_TRUE(junk);

  deliver("one");
  deliver("two", {"\\Seen"});
  deliver("three");
  auto st = imap_->status(mbx_, "Inbox");
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(st->messages, 3);
  EXPECT_EQ(st->unseen, 2);
  EXPECT_EQ(st->folder.uidnext, 4);
  EXPECT_EQ(st->folder.uidvalidity, 1);
  EXPECT_EQ(st->folder.highest_modseq, 4);
  auto msgs = imap_->messages(st->folder.id);
  ASSERT_TRUE(msgs.ok());
  ASSERT_EQ(msgs->size(), 3u);
  EXPECT_EQ((*msgs)[0].uid, 1);
  EXPECT_EQ((*msgs)[2].uid, 3);
  EXPECT_EQ((*msgs)[1].flags, std::vector<std::string>{"\\Seen"});
  EXPECT_EQ((*msgs)[0].internal_date, 1700000000);
  auto body = imap_->content((*msgs)[0].blob_id);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body, "Subject: one\r\n\r\nbody\r\n");
  EXPECT_EQ((*msgs)[0].size, static_cast<int64_t>(body->size()));
  EXPECT_EQ(imap_->status(mbx_, "Nope").error().code, ErrorCode::kNotFound);
}

TEST_P(ImapStoreTest, StoreFlagsBumpsModseqOnlyForChanges) {
  deliver("one");
  deliver("two", {"\\Seen"});
  std::string folder = inboxId();
  auto r = imap_->storeFlags(folder, {1, 2, 99}, {FlagMode::kAdd, {"\\seen", "\\Recent"}, {}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->changed.size(), 1u);  // message 2 already had \Seen; 99 does not exist
  EXPECT_EQ(r->changed[0].uid, 1);
  EXPECT_EQ(r->changed[0].flags, std::vector<std::string>{"\\Seen"});
  EXPECT_EQ(r->changed[0].modseq, 4);
  EXPECT_EQ(imap_->folder(mbx_, "INBOX")->highest_modseq, 4);

  r = imap_->storeFlags(folder, {1, 2}, {FlagMode::kReplace, {"\\Flagged", "$Work"}, {}});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->changed.size(), 2u);
  EXPECT_EQ(r->changed[1].flags, (std::vector<std::string>{"\\Flagged", "$Work"}));
  EXPECT_EQ(r->changed[1].modseq, 5);

  r = imap_->storeFlags(folder, {2}, {FlagMode::kRemove, {"$work"}, {}});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->changed.size(), 1u);
  EXPECT_EQ(r->changed[0].flags, std::vector<std::string>{"\\Flagged"});

  // RFC 7162 §3.1.3: UNCHANGEDSINCE below the message's modseq fails that message only.
  r = imap_->storeFlags(folder, {1, 2}, {FlagMode::kAdd, {"\\Answered"}, int64_t{5}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->failed_uids, std::vector<int64_t>{2});
  ASSERT_EQ(r->changed.size(), 1u);
  EXPECT_EQ(r->changed[0].uid, 1);
}

TEST_P(ImapStoreTest, ExpungeRemovesDeletedOnly) {
  for (int i = 0; i < 4; ++i) deliver("m" + std::to_string(i));
  std::string folder = inboxId();
  ASSERT_TRUE(imap_->storeFlags(folder, {1, 3, 4}, {FlagMode::kAdd, {"\\Deleted"}, {}}).ok());
  auto some = imap_->expunge(folder, std::vector<int64_t>{3, 2});  // UID EXPUNGE 2:3
  ASSERT_TRUE(some.ok()) << some.error().message;
  EXPECT_EQ(*some, std::vector<int64_t>{3});
  auto rest = imap_->expunge(folder);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(*rest, (std::vector<int64_t>{1, 4}));
  auto msgs = imap_->messages(folder);
  ASSERT_EQ(msgs->size(), 1u);
  EXPECT_EQ((*msgs)[0].uid, 2);
  EXPECT_EQ(imap_->folder(mbx_, "INBOX")->uidnext, 5);  // UIDs are never reused
  EXPECT_TRUE(imap_->expunge(folder)->empty());
}

TEST_P(ImapStoreTest, EveryChangeRaisesTheHighestModseqThatSessionsPollFor) {
  std::string inbox = inboxId();
  int64_t last = imap_->highestModseq(inbox).value();
  auto raised = [&](const char* what) {
    int64_t now = imap_->highestModseq(inbox).value();
    EXPECT_GT(now, last) << what;
    last = now;
  };
  deliver("one");
  raised("delivery");
  deliver("two");
  raised("delivery");
  ASSERT_TRUE(imap_->storeFlags(inbox, {1}, {FlagMode::kAdd, {"\\Deleted"}, {}}).ok());
  raised("flag change");
  ASSERT_TRUE(imap_->expunge(inbox).ok());
  raised("expunge");
  ASSERT_TRUE(imap_->copy(mbx_, inbox, {2}, "Sent", true).ok());
  raised("move out");
  EXPECT_EQ(imap_->highestModseq("fld_missing").error().code, ErrorCode::kNotFound);
}

TEST_P(ImapStoreTest, UsedBytesFollowEveryWriteOfTheMessages) {
  auto summed = [&] {
    auto row = db_->read<int64_t>([&](store::Tx& tx) -> Result<int64_t> {
      MJ_TRY_ASSIGN(auto r, tx.queryOne("SELECT COALESCE(SUM(m.size), 0) FROM mail_messages m "
                                        "JOIN mail_folders f ON f.id = m.folder_id WHERE "
                                        "f.mailbox_id = ?",
                                        {mbx_}));
      return r->integer(0);
    });
    return row.value();
  };
  auto check = [&](const char* what) {
    auto used = mail_->usedBytes(mbx_);
    ASSERT_TRUE(used.ok());
    EXPECT_EQ(*used, summed()) << what;
  };
  for (int i = 0; i < 4; ++i) deliver("message " + std::to_string(i));
  check("deliveries");
  EXPECT_GT(summed(), 0);
  std::string inbox = inboxId();
  ASSERT_TRUE(imap_->copy(mbx_, inbox, {1, 2}, "Sent", false).ok());
  check("copy");
  ASSERT_TRUE(imap_->copy(mbx_, inbox, {3}, "Sent", true).ok());
  check("move");
  ASSERT_TRUE(imap_->storeFlags(inbox, {1, 4}, {FlagMode::kAdd, {"\\Deleted"}, {}}).ok());
  ASSERT_TRUE(imap_->expunge(inbox).ok());
  check("expunge");
  deliver("late");
  ASSERT_TRUE(imap_->renameFolder(mbx_, "INBOX", "Old").ok());
  check("INBOX renamed");
  deliver("after the rename");
  ASSERT_TRUE(imap_->deleteFolder(mbx_, "Old").ok());
  check("folder deleted");
}

TEST_P(ImapStoreTest, CreateRenameDeleteSubscribe) {
  ASSERT_TRUE(imap_->createFolder(mbx_, "Projects").ok());
  EXPECT_EQ(imap_->createFolder(mbx_, "Projects").error().code, ErrorCode::kConflict);
  EXPECT_EQ(imap_->createFolder(mbx_, "a//b").error().code, ErrorCode::kInvalid);
  EXPECT_EQ(imap_->createFolder(mbx_, "inbox").error().code, ErrorCode::kConflict);
  ASSERT_TRUE(imap_->createFolder(mbx_, "Projects/2026").ok());
  int64_t v1 = imap_->folder(mbx_, "Projects")->uidvalidity;
  EXPECT_GT(v1, 1);

  ASSERT_TRUE(imap_->renameFolder(mbx_, "Projects", "Work").ok());
  EXPECT_TRUE(imap_->folder(mbx_, "Work").ok());
  EXPECT_TRUE(imap_->folder(mbx_, "Work/2026").ok());
  EXPECT_FALSE(imap_->folder(mbx_, "Projects/2026").ok());
  EXPECT_EQ(imap_->renameFolder(mbx_, "Work", "Sent").error().code, ErrorCode::kConflict);
  EXPECT_EQ(imap_->renameFolder(mbx_, "Nope", "X").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(imap_->renameFolder(mbx_, "INBOX", "Work").error().code, ErrorCode::kConflict);

  ASSERT_TRUE(imap_->setSubscribed(mbx_, "Work", false).ok());
  EXPECT_FALSE(imap_->folder(mbx_, "Work")->subscribed);
  EXPECT_EQ(imap_->setSubscribed(mbx_, "Nope", true).error().code, ErrorCode::kNotFound);

  EXPECT_EQ(imap_->deleteFolder(mbx_, "Inbox").error().code, ErrorCode::kInvalid);
  ASSERT_TRUE(imap_->deleteFolder(mbx_, "Work").ok());
  EXPECT_EQ(imap_->deleteFolder(mbx_, "Work").error().code, ErrorCode::kNotFound);
  // RFC 9051 §2.3.1.1: the same name created again gets a larger UIDVALIDITY.
  ASSERT_TRUE(imap_->createFolder(mbx_, "Work").ok());
  EXPECT_GT(imap_->folder(mbx_, "Work")->uidvalidity, v1);
}

TEST_P(ImapStoreTest, RenameInboxMovesItsMessagesAndLeavesItEmpty) {
  deliver("one");
  deliver("two");
  ASSERT_TRUE(imap_->createFolder(mbx_, "INBOX/Sub").ok());
  auto inbox = imap_->folder(mbx_, "INBOX");
  ASSERT_TRUE(inbox.ok());
  ASSERT_TRUE(imap_->renameFolder(mbx_, "inbox", "Old").ok());
  auto old = imap_->folder(mbx_, "Old");
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->uidnext, 3);
  EXPECT_GT(old->uidvalidity, inbox->uidvalidity);
  auto moved = imap_->messages(old->id);
  ASSERT_TRUE(moved.ok());
  ASSERT_EQ(moved->size(), 2u);
  EXPECT_EQ((*moved)[0].uid, 1);
  auto after = imap_->folder(mbx_, "INBOX");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->id, inbox->id);
  EXPECT_EQ(after->uidvalidity, inbox->uidvalidity);
  EXPECT_TRUE(imap_->messages(after->id)->empty());
  EXPECT_TRUE(imap_->folder(mbx_, "INBOX/Sub").ok());  // sub-folders stay
  deliver("three");                                    // new mail: INBOX, a larger UID
  EXPECT_EQ((*imap_->messages(after->id))[0].uid, 3);
  EXPECT_EQ(imap_->renameFolder(mbx_, "INBOX", "Old").error().code, ErrorCode::kConflict);
}

TEST_P(ImapStoreTest, ClaimRecentHandsEachMessageToOneClaimer) {
  deliver("one");
  deliver("two");
  auto inbox = imap_->folder(mbx_, "INBOX");
  ASSERT_TRUE(inbox.ok());
  EXPECT_EQ(*imap_->claimRecent(inbox->id, 0), 1);  // EXAMINE: looks, claims nothing
  EXPECT_EQ(*imap_->claimRecent(inbox->id, 3), 1);  // SELECT: UIDs 1 and 2 are its own
  EXPECT_EQ(*imap_->claimRecent(inbox->id, 3), 3);  // the next SELECT: none
  deliver("three");
  EXPECT_EQ(*imap_->claimRecent(inbox->id, 4), 3);
  EXPECT_EQ(*imap_->claimRecent(inbox->id, 2), 4);  // never moves back
  EXPECT_EQ(imap_->claimRecent("fld_nope", 5).error().code, ErrorCode::kNotFound);
}

TEST_P(ImapStoreTest, AppendStoresFlagsAndDateAndReturnsUid) {
  deliver("first");
  auto r = imap_->append(mbx_, "inbox", "Subject: draft\r\n\r\nx\r\n", {"\\seen", "\\Draft"},
                         1600000000);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->uid, 2);
  EXPECT_EQ(r->uidvalidity, 1);
  auto msgs = imap_->messages(inboxId());
  ASSERT_EQ(msgs->size(), 2u);
  EXPECT_EQ((*msgs)[1].flags, (std::vector<std::string>{"\\Seen", "\\Draft"}));
  EXPECT_EQ((*msgs)[1].internal_date, 1600000000);
  EXPECT_EQ(imap_->append(mbx_, "Nope", "x\r\n", {}, 0).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(count("SELECT received FROM mailbox_counters WHERE mailbox_id = ?", {mbx_}), 1);
}

TEST_P(ImapStoreTest, CopyAndMoveKeepFlagsAndAssignNewUids) {
  for (int i = 0; i < 3; ++i)
    deliver("m" + std::to_string(i),
            i == 1 ? std::vector<std::string>{"\\Flagged"} : std::vector<std::string>{});
  std::string inbox = inboxId();
  auto c = imap_->copy(mbx_, inbox, {2, 3, 9}, "Sent", false);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->source, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(c->dest, (std::vector<int64_t>{1, 2}));
  auto sent = imap_->folder(mbx_, "Sent").value();
  auto msgs = imap_->messages(sent.id).value();
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].flags, std::vector<std::string>{"\\Flagged"});
  EXPECT_EQ(msgs[0].internal_date, 1700000000);
  EXPECT_EQ(imap_->messages(inbox)->size(), 3u);
  auto m = imap_->copy(mbx_, inbox, {1, 2}, "sent", false);
  EXPECT_EQ(m.error().code, ErrorCode::kNotFound);  // only INBOX is case-insensitive
  m = imap_->copy(mbx_, inbox, {1, 2}, "Sent", true);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->dest, (std::vector<int64_t>{3, 4}));
  auto left = imap_->messages(inbox).value();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].uid, 3);
  EXPECT_EQ(imap_->folder(mbx_, "Sent")->uidnext, 5);
}

TEST_P(ImapStoreTest, StructuresCachedAtDeliveryFollowCopiesAndHeadersComeFromMemory) {
  for (int i = 0; i < 3; ++i) deliver("s" + std::to_string(i));
  std::string inbox = inboxId();
  auto st = imap_->structures(inbox, {3, 1, 9});
  ASSERT_TRUE(st.ok()) << st.error().message;
  ASSERT_EQ(st->size(), 2u);  // UID order, unknown UIDs skipped
  EXPECT_EQ((*st)[0].uid, 1);
  EXPECT_EQ((*st)[1].uid, 3);
  ASSERT_TRUE((*st)[1].envelope && (*st)[1].bodystructure);
  EXPECT_NE((*st)[1].envelope->find("s2"), std::string::npos);
  auto env_only = imap_->structures(inbox, {1}, true, false);
  ASSERT_TRUE(env_only.ok());
  EXPECT_TRUE((*env_only)[0].envelope);
  EXPECT_FALSE((*env_only)[0].bodystructure);
  // A set larger than one IN list: one scan of the folder, filtered.
  std::vector<int64_t> many;
  for (int64_t u = 1; u <= 700; ++u) many.push_back(u);
  EXPECT_EQ(imap_->structures(inbox, many)->size(), 3u);
  ASSERT_TRUE(imap_->copy(mbx_, inbox, {2}, "Sent", false).ok());
  auto sent = imap_->folder(mbx_, "Sent").value();
  auto copied = imap_->structures(sent.id, {1});
  ASSERT_TRUE(copied.ok());
  ASSERT_EQ(copied->size(), 1u);
  EXPECT_NE(copied->at(0).envelope.value_or("").find("s1"), std::string::npos);
  auto msgs = imap_->messages(inbox).value();
  auto h = imap_->header(msgs[0].blob_id);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(*h, "Subject: s0\r\n\r\n");
  EXPECT_EQ(imap_->header(msgs[0].blob_id).value(), *h);  // from memory the second time
}

TEST_P(ImapStoreTest, ChangesNotifyTheMailboxAndUsageCountsBytes) {
  int changes = 0;
  auto sub = imap_->changes().subscribe(mbx_, nullptr, [&] { ++changes; });
  deliver("one");  // MailStore::accept
  EXPECT_EQ(changes, 1);
  deliver("two");
  EXPECT_EQ(changes, 2);
  auto inbox = inboxId();
  ASSERT_TRUE(imap_->storeFlags(inbox, {1}, {FlagMode::kAdd, {"\\Deleted"}, {}}).ok());
  EXPECT_EQ(changes, 3);
  ASSERT_TRUE(imap_->storeFlags(inbox, {1}, {FlagMode::kAdd, {"\\Deleted"}, {}}).ok());
  EXPECT_EQ(changes, 3);  // nothing changed, nothing to tell
  ASSERT_TRUE(imap_->expunge(inbox).ok());
  EXPECT_EQ(changes, 4);
  ASSERT_TRUE(imap_->copy(mbx_, inbox, {2}, "Sent", false).ok());
  EXPECT_EQ(changes, 5);
  auto msgs = imap_->messages(inbox);
  ASSERT_TRUE(msgs.ok());
  auto used = imap_->usedBytes(mbx_);
  ASSERT_TRUE(used.ok()) << used.error().message;
  EXPECT_EQ(*used, 2 * (*msgs)[0].size);  // INBOX and its copy in Sent
  EXPECT_EQ(*imap_->usedBytes("mbx_nobody"), 0);
}

INSTANTIATE_TEST_SUITE_P(Engines, ImapStoreTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace mailjuke::core
