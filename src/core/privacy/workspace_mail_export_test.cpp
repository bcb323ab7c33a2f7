// The owner's workspace export carries the mail: one mbox per mailbox and folder, streamed from
// the blob files (SQLite, and PostgreSQL when MAILJUKE_TEST_PG_URL is set).
#include <gtest/gtest.h>
#include <zip.h>

#include <map>
#include <sstream>

#include "core/privacy/privacy_test_util.h"
#include "core/privacy/workspace_export.h"
#include "core/privacy/workspace_mail_export.h"

namespace mailjuke::core::privacy {
namespace {

class WorkspaceMailExportTest : public testing::PrivacyDbTest {
 protected:
  void deliver(const std::string& mailbox, const std::string& folder, int64_t uid,
               const std::string& content) {
    auto ref = blobs_->put(content);
    ASSERT_TRUE(ref.ok());
    exec(
        "INSERT INTO mail_messages (id, folder_id, uid, blob_id, size, internal_date, modseq, "
        "created_at) VALUES (?, (SELECT id FROM mail_folders WHERE mailbox_id = ? AND name = ?), "
        "?, ?, ?, ?, 1, 1)",
        {newId("msg"), mailbox, folder, uid, ref->id, int64_t(content.size()),
         int64_t(1764547200)});
  }
  std::map<std::string, std::string> unzip(const std::string& path) {
    std::map<std::string, std::string> out;
    int err = 0;
    zip_t* z = zip_open(path.c_str(), ZIP_RDONLY, &err);
    EXPECT_TRUE(z);
    if (!z) return out;
    for (zip_int64_t i = 0; i < zip_get_num_entries(z, 0); ++i) {
      zip_stat_t st;
      zip_stat_index(z, i, 0, &st);
      zip_file_t* f = zip_fopen_index(z, i, 0);
      std::string buf(st.size, '\0');
      zip_fread(f, buf.data(), st.size);
      zip_fclose(f);
      out[st.name] = buf;
    }
    zip_close(z);
    return out;
  }
};

TEST(MboxWriter, QuotesFromLinesAndEndsLinesInLf) {
  std::istringstream in("Subject: hi\r\n\r\nFrom here on\r\n>From quoted\r\nplain");
  std::ostringstream out;
  int64_t n = appendMboxMessage(out, in, 1764547200);  // 2025-12-01T00:00:00Z, a Monday
  EXPECT_EQ(out.str(),
            "From MAILER-DAEMON Mon Dec  1 00:00:00 2025\n"
            "Subject: hi\n\n>From here on\n>>From quoted\nplain\n\n");
  EXPECT_EQ(n, int64_t(out.str().size()));
}

TEST_P(WorkspaceMailExportTest, ExportCarriesOneMboxPerMailboxAndFolder) {
  auto owner = signup("owner@example.com");
  addMember("ws_1", owner.id, "owner");
  std::string anna = makeMailbox("anna");
  std::string bob = makeMailbox("bob");
  deliver(anna, "INBOX", 1, "Subject: one\r\n\r\nFirst body\r\n");
  deliver(anna, "INBOX", 2, "Subject: two\r\n\r\nFrom the start\r\n");
  deliver(anna, "Sent", 1, "Subject: sent\r\n\r\nSent body\r\n");
  deliver(bob, "INBOX", 1, "Subject: bob\r\n\r\nBob body\r\n");
  // Another workspace's mail never appears.
  addWorkspace("ws_2", owner.id);
  exec(
      "INSERT INTO domains (id, workspace_id, name, unicode_name, source, status, "
      "verification_token, zone_serial, created_at, updated_at) VALUES ('dom_2', 'ws_2', "
      "'other.test', 'other.test', 'byod', 'active', 't', 1, 1, 1)");

  auto started = startWorkspaceExport(*ctx_, owner.principal, "ws_1");
  ASSERT_TRUE(started.ok()) << started.error().message;
  const std::string id = (*started)["id"].get<std::string>();
  ASSERT_TRUE(
      buildWorkspaceExport(*ctx_, (dir_ / "exports").string(), (dir_ / "blobs").string(), 5, id)
          .ok());
  auto got = getWorkspaceExport(*ctx_, owner.principal, "ws_1", id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ((*got)["status"], "completed") << got->dump();
  auto path = workspaceExportPath(*ctx_, owner.principal, "ws_1", id);
  ASSERT_TRUE(path.ok()) << path.error().message;
  auto files = unzip(*path);
  ASSERT_TRUE(files.count("mail/anna@hosted.test/INBOX.mbox"));
  ASSERT_TRUE(files.count("mail/anna@hosted.test/Sent.mbox"));
  ASSERT_TRUE(files.count("mail/bob@hosted.test/INBOX.mbox"));
  ASSERT_TRUE(files.count("mail/bob@hosted.test/Sent.mbox"));  // empty folders are exported too
  EXPECT_EQ(files["mail/bob@hosted.test/Sent.mbox"], "");
  const std::string inbox = files["mail/anna@hosted.test/INBOX.mbox"];
  EXPECT_EQ(inbox,
            "From MAILER-DAEMON Mon Dec  1 00:00:00 2025\nSubject: one\n\nFirst body\n\n"
            "From MAILER-DAEMON Mon Dec  1 00:00:00 2025\nSubject: two\n\n>From the start\n\n");
  EXPECT_NE(files["mail/anna@hosted.test/Sent.mbox"].find("Sent body"), std::string::npos);
  EXPECT_EQ(files["mail/anna@hosted.test/Sent.mbox"].find("First body"), std::string::npos);
  Json manifest = Json::parse(files["manifest.json"]);
  ASSERT_EQ(manifest["mail"]["folders"].size(), 4u);
  EXPECT_EQ(manifest["mail"]["folders"][0]["mailbox"], "anna@hosted.test");
  EXPECT_EQ(manifest["mail"]["folders"][0]["folder"], "INBOX");
  EXPECT_EQ(manifest["mail"]["folders"][0]["messages"], 2);
  EXPECT_EQ(manifest["mail"]["folders"][0]["bytes"], int64_t(inbox.size()));
  EXPECT_EQ(manifest["excluded"].get<std::string>().find("mail content"), std::string::npos);
  EXPECT_EQ((*got)["files"], int64_t(files.size()));
  // The temporary mbox files are gone; only the ZIP is left.
  int left = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir_ / "exports")) {
    (void)e;
    ++left;
  }
  EXPECT_EQ(left, 1);
}

INSTANTIATE_TEST_SUITE_P(Engines, WorkspaceMailExportTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace mailjuke::core::privacy
