// MailDirectory over a real SQLite store: lookups, DKIM keys, the login cache, suspension and
// refresh on version changes. Also measures the Argon2id cost that bulk creation pays per row.
#include "core/mailboxes/mail_directory.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "base/crypto.h"
#include "base/ids.h"
#include "core/mailboxes/mailbox_service.h"
#include "store/sql/migrator.h"

namespace mailjuke::core {
namespace {

class MailDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    path_ = std::filesystem::temp_directory_path() / (newId("dir") + ".db");
    auto db = store::openDatabase("sqlite:" + path_.string(), 4);
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(db).value();
    ASSERT_TRUE(store::migrate(*db_).ok());
    ctx_ = std::make_unique<CoreContext>(
        CoreContext{*db_, clock_, Settings{}, crypto::randomBytes(32)});
    auto st = db_->run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
      MJ_TRY(
          tx.exec("INSERT INTO workspaces (id, name, created_at, updated_at) VALUES "
                  "('ws_1', 'W', 1, 1)"));
      MJ_TRY(
          tx.exec("INSERT INTO domains (id, workspace_id, name, unicode_name, source, status, "
                  "verification_token, zone_serial, created_at, updated_at) VALUES "
                  "('dom_1', 'ws_1', 'xn--bcher-kva.de', 'bücher.de', 'purchase', 'active', "
                  "'t', 1, 1, 1)"));
      MJ_TRY(
          tx.exec("INSERT INTO dkim_keys (id, domain_id, selector, private_key, public_key, "
                  "status, created_at) VALUES ('dkk_1', 'dom_1', 'mj1', ?, 'pub', 'active', 1)",
                  {crypto::seal(ctx_->secret_key, "PEM-DATA")}));
      return {};
    });
    ASSERT_TRUE(st.ok()) << st.error().message;
  }
  void TearDown() override {
    db_.reset();
    for (const char* suffix : {"", "-wal", "-shm"})
      std::filesystem::remove(path_.string() + suffix);
  }
  std::string addMailbox(const std::string& local, const std::string& password) {
    MailboxService svc(*ctx_, nullptr);
    MailboxInput in;
    in.domain_id = "dom_1";
    in.local_part = local;
    in.first_name = "John";
    in.last_name = "Doe";
    in.password = password;
    auto m = svc.prepare("ws_1", in);
    EXPECT_TRUE(m.ok());
    auto st = db_->run(store::TxMode::kWrite,
                       [&](store::Tx& tx) { return svc.insert(tx, *m, clock_.nowSeconds()); });
    EXPECT_TRUE(st.ok()) << st.error().message;
    return m->id;
  }
  Status exec(const std::string& sql) {
    return db_->run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
      MJ_TRY(tx.exec(sql));
      MJ_TRY(tx.exec("UPDATE mailbox_state SET version = version + 1 WHERE id = 1"));
      return {};
    });
  }

  std::filesystem::path path_;
  SystemClock clock_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<CoreContext> ctx_;
};

TEST_F(MailDirectoryTest, FindsMailboxesDomainsAndKeys) {
  std::string id = addMailbox("John.Doe", "correct horse battery");
  MailDirectory dir(*ctx_);
  EXPECT_EQ(dir.find("john.doe@xn--bcher-kva.de"), nullptr);  // not built yet
  ASSERT_TRUE(dir.refresh().ok());
  auto a = dir.find("JOHN.DOE@XN--BCHER-KVA.DE");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->id, id);
  EXPECT_EQ(a->address(), "john.doe@xn--bcher-kva.de");
  EXPECT_EQ(a->display_name, "John Doe");
  EXPECT_EQ(a->daily_limit, 50);
  EXPECT_EQ(dir.find("john.doe@bücher.de"), a);  // U-label
  EXPECT_EQ(dir.findById(id), a);
  EXPECT_EQ(dir.find("jane@xn--bcher-kva.de"), nullptr);
  EXPECT_EQ(dir.find("no-at-sign"), nullptr);
  EXPECT_TRUE(dir.hostsDomain("Bücher.de"));
  EXPECT_FALSE(dir.hostsDomain("example.com"));
  auto key = dir.signingKey("xn--bcher-kva.de");
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->selector, "mj1");
  EXPECT_EQ(key->private_pem, "PEM-DATA");
  // Default folders came with the mailbox, idempotently.
  auto n = db_->read<int64_t>([&](store::Tx& tx) -> Result<int64_t> {
    MJ_TRY_ASSIGN(auto r,
                  tx.queryOne("SELECT COUNT(*) FROM mail_folders WHERE mailbox_id = ?", {id}));
    return r->integer(0);
  });
  EXPECT_EQ(*n, 6);
}

TEST_F(MailDirectoryTest, AuthenticatesWithACacheAndSeesChanges) {
  std::string id = addMailbox("jane", "correct horse battery");
  MailDirectory dir(*ctx_);
  ASSERT_TRUE(dir.refresh().ok());
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(dir.authenticate("jane@xn--bcher-kva.de", "correct horse battery").first,
            MailAuthResult::kOk);
  auto t1 = std::chrono::steady_clock::now();
  EXPECT_EQ(dir.authenticate("Jane@XN--BCHER-KVA.de", "correct horse battery").first,
            MailAuthResult::kOk);
  auto t2 = std::chrono::steady_clock::now();
  auto first_us = std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count();
  auto cached_us = std::chrono::duration_cast<std::chrono::microseconds>(t2 - t1).count();
  std::cout << "[ argon2id ] first login " << first_us << " us, cached " << cached_us << " us\n";
  // Relative, not absolute: a loaded CI machine slows both paths alike.
  EXPECT_LT(cached_us * 5, first_us);
  EXPECT_EQ(dir.authenticate("jane@xn--bcher-kva.de", "wrong password!").first,
            MailAuthResult::kBadCredentials);
  EXPECT_EQ(dir.authenticate("nobody@xn--bcher-kva.de", "correct horse battery").first,
            MailAuthResult::kBadCredentials);

  ASSERT_TRUE(exec("UPDATE mailboxes SET status = 'suspended' WHERE id = '" + id + "'").ok());
  ASSERT_TRUE(dir.refresh().ok());
  EXPECT_EQ(dir.authenticate("jane@xn--bcher-kva.de", "correct horse battery").first,
            MailAuthResult::kSuspended);
  EXPECT_EQ(dir.authenticate("jane@xn--bcher-kva.de", "wrong password!").first,
            MailAuthResult::kBadCredentials);

  // A new password hash invalidates the cached login at once.
  std::string hash = crypto::hashPassword("another good password");
  ASSERT_TRUE(exec("UPDATE mailboxes SET status = 'active', password_hash = '" + hash +
                   "' WHERE id = '" + id + "'")
                  .ok());
  ASSERT_TRUE(dir.refresh().ok());
  EXPECT_EQ(dir.authenticate("jane@xn--bcher-kva.de", "correct horse battery").first,
            MailAuthResult::kBadCredentials);
  EXPECT_EQ(dir.authenticate("jane@xn--bcher-kva.de", "another good password").first,
            MailAuthResult::kOk);

  // Suspending the workspace does not bump mailbox_state: the directory notices anyway.
  ASSERT_TRUE(db_->run(store::TxMode::kWrite,
                       [](store::Tx& tx) -> Status {
                         MJ_TRY(
                             tx.exec("UPDATE workspaces SET status = 'suspended', updated_at = 2"));
                         return {};
                       })
                  .ok());
  ASSERT_TRUE(dir.refresh().ok());
  auto [res, account] = dir.authenticate("jane@xn--bcher-kva.de", "another good password");
  EXPECT_EQ(res, MailAuthResult::kSuspended);
  ASSERT_NE(account, nullptr);
  EXPECT_TRUE(account->workspace_suspended);

  ASSERT_TRUE(exec("DELETE FROM mailboxes").ok());
  ASSERT_TRUE(dir.refresh().ok());
  EXPECT_EQ(dir.find("jane@xn--bcher-kva.de"), nullptr);
}

}  // namespace
}  // namespace mailjuke::core
