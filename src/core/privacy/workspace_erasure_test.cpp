// Whole-workspace erasure asked by its owner through a privacy request: only an owner, after
// the grace period, cancellable, members warned, books kept under a legal hold, history kept
// (SQLite, and PostgreSQL when MAILJUKE_TEST_PG_URL is set).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/billing/ledger.h"
#include "core/privacy/privacy_test_util.h"
#include "core/privacy/retention.h"
#include "core/privacy/workspace_erasure.h"

namespace mailjuke::core::privacy {
namespace {

class WorkspaceErasureTest : public testing::PrivacyDbTest {
 protected:
  int64_t n(const std::string& sql, const store::Params& params = {}) {
    return std::stoll(text(sql, params));
  }
  Json pending(const std::string& ws, const std::string& user) {
    auto r = db_->read<Json>([&](store::Tx& tx) { return pendingWorkspaceErasure(tx, ws, user); });
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : Json();
  }
  RequestInput erase(const std::string& ws) {
    RequestInput r{"erasure", "correct-horse-battery"};
    r.workspace_id = ws;
    return r;
  }
};

TEST_P(WorkspaceErasureTest, OnlyTheOwnerErasesTheWorkspaceAfterTheGracePeriod) {
  auto owner = signup("owner@example.com");
  auto admin = signup("admin@example.com");
  auto outsider = signup("outsider@example.com");
  addMember("ws_1", owner.id, "owner");
  addMember("ws_1", admin.id, "admin");
  std::string mbx = makeMailbox("anna");
  auto blob = blobs_->put("Subject: x\r\n\r\nbody\r\n");
  ASSERT_TRUE(blob.ok());
  exec(
      "INSERT INTO mail_messages (id, folder_id, uid, blob_id, size, internal_date, modseq, "
      "created_at) VALUES ('msg_1', (SELECT id FROM mail_folders WHERE mailbox_id = ? AND name = "
      "'INBOX'), 1, ?, 10, 1, 1, 1)",
      {mbx, blob->id});
  billing::Ledger ledger(*ctx_);
  ASSERT_TRUE(ledger.topUp("ws_1", "USD", 900).ok());

  // Not an owner: 403; not a member: 404; a bad combination: 422. Nothing is scheduled.
  auto denied = privacy_->createRequest(admin.principal, erase("ws_1"));
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::kForbidden);
  auto unknown = privacy_->createRequest(outsider.principal, erase("ws_1"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  RequestInput wrong{"access", "correct-horse-battery"};
  wrong.workspace_id = "ws_1";
  auto bad = privacy_->createRequest(owner.principal, wrong);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalid);
  auto badpw = erase("ws_1");
  badpw.password = "wrong-password-here";
  EXPECT_FALSE(privacy_->createRequest(owner.principal, badpw).ok());
  EXPECT_EQ(n("SELECT COUNT(*) FROM workspace_deletions"), 0);
  EXPECT_EQ(n("SELECT COUNT(*) FROM privacy_requests"), 0);

  // The owner asks: scheduled after 30 days, members warned, audited; the account stays.
  auto req = privacy_->createRequest(owner.principal, erase("ws_1"));
  ASSERT_TRUE(req.ok()) << req.error().message;
  EXPECT_EQ((*req)["status"], "processing");
  EXPECT_EQ((*req)["outcome"]["workspace_id"], "ws_1");
  const std::string id = (*req)["id"].get<std::string>();
  EXPECT_EQ(text("SELECT status FROM users WHERE id = ?", {owner.id}), "active");
  EXPECT_EQ(n("SELECT COUNT(*) FROM outbox WHERE kind = 'workspace_deletion_warning'"), 2);
  EXPECT_EQ(n("SELECT COUNT(*) FROM audit_events WHERE action = 'workspace.erasure_requested' "
              "AND workspace_id = 'ws_1'"),
            1);
  EXPECT_EQ(n("SELECT COUNT(*) FROM audit_events WHERE action = 'privacy.request' AND "
              "workspace_id IS NULL"),
            1);
  auto again = privacy_->createRequest(owner.principal, erase("ws_1"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);

  // Cancelled: the workspace stays; the history says so; a new request schedules anew.
  auto cancelled = privacy_->cancelRequest(owner.principal, id);
  ASSERT_TRUE(cancelled.ok()) << cancelled.error().message;
  EXPECT_EQ((*cancelled)["status"], "cancelled");
  // In the order written, though all in the same second (seq, 0016).
  std::vector<std::string> actions;
  for (const auto& h : (*cancelled)["history"]) actions.push_back(h["action"].get<std::string>());
  EXPECT_EQ(actions, (std::vector<std::string>{"received", "scheduled", "cancelled"}));
  EXPECT_FALSE(privacy_->cancelRequest(owner.principal, id).ok());
  EXPECT_EQ(privacy_->cancelRequest(admin.principal, id).error().code, ErrorCode::kNotFound);
  clock_.advanceSeconds(31 * 86400);
  ASSERT_TRUE(runRetention(*ctx_, privacy_->settings()).ok());
  EXPECT_EQ(text("SELECT status FROM workspaces WHERE id = 'ws_1'"), "active");
  EXPECT_EQ(n("SELECT COUNT(*) FROM mail_messages"), 1);

  auto second = privacy_->createRequest(owner.principal, erase("ws_1"));
  ASSERT_TRUE(second.ok()) << second.error().message;
  const std::string id2 = (*second)["id"].get<std::string>();
  // A week before: the second warning.
  clock_.advanceSeconds(24 * 86400);
  ASSERT_TRUE(runRetention(*ctx_, privacy_->settings()).ok());
  EXPECT_EQ(n("SELECT COUNT(*) FROM workspace_deletions WHERE warned_at IS NOT NULL"), 1);
  EXPECT_EQ(text("SELECT status FROM workspaces WHERE id = 'ws_1'"), "active");
  // Due: domains, mailboxes, messages and members go; the books stay under a legal hold.
  clock_.advanceSeconds(7 * 86400);
  ASSERT_TRUE(runRetention(*ctx_, privacy_->settings()).ok());
  EXPECT_EQ(text("SELECT status FROM workspaces WHERE id = 'ws_1'"), "deleted");
  EXPECT_EQ(n("SELECT COUNT(*) FROM domains WHERE workspace_id = 'ws_1'"), 0);
  EXPECT_EQ(n("SELECT COUNT(*) FROM mailboxes WHERE workspace_id = 'ws_1'"), 0);
  EXPECT_EQ(n("SELECT COUNT(*) FROM mail_messages"), 0);
  EXPECT_EQ(n("SELECT COUNT(*) FROM memberships WHERE workspace_id = 'ws_1'"), 0);
  EXPECT_EQ(n("SELECT COUNT(*) FROM ledger_transactions WHERE workspace_id = 'ws_1'"), 1);
  EXPECT_EQ(n("SELECT COUNT(*) FROM legal_holds WHERE scope_id = 'ws_1' AND purged_at IS NULL"), 1);
  // The request is complete and its history kept; the requester is told.
  auto done = privacy_->getRequest(owner.principal, id2);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ((*done)["status"], "completed");
  EXPECT_EQ((*done)["history"].back()["action"], "completed");
  EXPECT_EQ(n("SELECT COUNT(*) FROM outbox WHERE to_address = 'owner@example.com' AND subject = "
              "'Your workspace has been erased'"),
            1);
  auto first = privacy_->getRequest(owner.principal, id);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ((*first)["status"], "cancelled");
}

// What the dashboard shows in the workspace settings (GET /workspaces/{ws} scheduled_deletion).
TEST_P(WorkspaceErasureTest, PendingErasureIsShownAndOnlyTheRequesterMayCancel) {
  auto owner = signup("owner@example.com");
  auto admin = signup("admin@example.com");
  addMember("ws_1", owner.id, "owner");
  addMember("ws_1", admin.id, "admin");
  EXPECT_TRUE(pending("ws_1", owner.id).is_null());
  auto req = privacy_->createRequest(owner.principal, erase("ws_1"));
  ASSERT_TRUE(req.ok()) << req.error().message;
  const std::string id = (*req)["id"].get<std::string>();
  Json p = pending("ws_1", owner.id);
  ASSERT_TRUE(p.is_object());
  EXPECT_EQ(p["request_id"], id);
  EXPECT_EQ(p["delete_after"], (*req)["outcome"]["delete_after"]);
  EXPECT_EQ(p["cancellable"], true);
  EXPECT_EQ(pending("ws_1", admin.id)["cancellable"], false);
  ASSERT_TRUE(privacy_->cancelRequest(owner.principal, id).ok());
  EXPECT_TRUE(pending("ws_1", owner.id).is_null());
  // The sole owner then erases the account: the cancelled deletion does not keep the workspace.
  auto gone = privacy_->createRequest(owner.principal, {"erasure", "correct-horse-battery"});
  ASSERT_TRUE(gone.ok()) << gone.error().message;
  EXPECT_EQ(n("SELECT COUNT(*) FROM workspace_deletions WHERE workspace_id = 'ws_1' AND "
              "cancelled_at IS NULL AND completed_at IS NULL"),
            1);
  EXPECT_TRUE(pending("ws_1", admin.id).is_object());
}

INSTANTIATE_TEST_SUITE_P(Engines, WorkspaceErasureTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace mailjuke::core::privacy
