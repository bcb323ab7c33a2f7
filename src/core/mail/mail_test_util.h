// Test fixture for the mail store: a migrated database (SQLite temp file, or PostgreSQL when
// MAILJUKE_TEST_PG_URL is set — the store tests' convention), a blob root, and helpers that
// create mailboxes with their folders.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/crypto.h"
#include "base/ids.h"
#include "core/context.h"
#include "core/mail/blob_store.h"
#include "store/sql/database.h"
#include "store/sql/migrator.h"

namespace mailjuke::core::testing {

inline std::string freshPgUrl() {
  const char* base = std::getenv("MAILJUKE_TEST_PG_URL");
  if (!base) return "";
  auto admin = store::openDatabase(base, 1);
  if (!admin.ok()) return "";
  std::string name = "mj_mail_" + crypto::sha256Hex(newId("db")).substr(0, 12);
  if (!(*admin)->execScript("CREATE DATABASE " + name).ok()) return "";
  std::string url = base;
  return url.substr(0, url.rfind('/') + 1) + name;
}

class MailDbTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    crypto::init();
    dir_ = std::filesystem::temp_directory_path() / newId("mailtest");
    std::filesystem::create_directories(dir_);
    if (GetParam() == "sqlite") {
      url_ = "sqlite:" + (dir_ / "mail.db").string();
    } else {
      url_ = freshPgUrl();
      if (url_.empty()) {
        if (std::getenv("MAILJUKE_TEST_PG_URL")) FAIL() << "cannot create a PostgreSQL database";
        GTEST_SKIP() << "MAILJUKE_TEST_PG_URL not set (make test sets it)";
      }
    }
    auto db = store::openDatabase(url_, 8);
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(db).value();
    auto applied = store::migrate(*db_);
    ASSERT_TRUE(applied.ok()) << applied.error().message;
    ctx_ = std::make_unique<CoreContext>(CoreContext{*db_, clock_, {}, std::string(32, 'k')});
    blobs_ = std::make_unique<BlobStore>((dir_ / "blobs").string());
    auto st = db_->run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
      MJ_TRY(
          tx.exec("INSERT INTO workspaces (id, name, created_at, updated_at) VALUES "
                  "('ws_1', 'W', 1, 1)"));
      MJ_TRY(tx.exec(
          "INSERT INTO domains (id, workspace_id, name, unicode_name, source, status, "
          "verification_token, zone_serial, created_at, updated_at) VALUES ('dom_1', 'ws_1', "
          "'hosted.test', 'hosted.test', 'byod', 'active', 't', 1, 1, 1)"));
      return {};
    });
    ASSERT_TRUE(st.ok()) << st.error().message;
  }
  void TearDown() override {
    db_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // A mailbox with INBOX and Sent.
  std::string makeMailbox(const std::string& local) {
    std::string id = newId("mbx");
    auto st = db_->run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
      MJ_TRY(
          tx.exec("INSERT INTO mailboxes (id, workspace_id, domain_id, local_part, password_hash, "
                  "password_sealed, daily_limit, status, created_at, updated_at) VALUES "
                  "(?, 'ws_1', 'dom_1', ?, 'h', 's', 0, 'active', 1, 1)",
                  {id, local}));
      for (const char* name : {"INBOX", "Sent"}) {
        MJ_TRY(tx.exec(
            "INSERT INTO mail_folders (id, mailbox_id, name, uidvalidity, created_at) VALUES "
            "(?, ?, ?, 1, 1)",
            {newId("fld"), id, std::string(name)}));
      }
      return {};
    });
    EXPECT_TRUE(st.ok()) << st.error().message;
    return id;
  }

  int64_t count(const std::string& sql, const store::Params& params = {}) {
    auto r = db_->read<int64_t>([&](store::Tx& tx) -> Result<int64_t> {
      MJ_TRY_ASSIGN(auto row, tx.queryOne(sql, params));
      return row ? row->integer(0) : 0;
    });
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : -1;
  }

  std::filesystem::path dir_;
  std::string url_;
  std::unique_ptr<store::Database> db_;
  ManualClock clock_{1764547200};  // 2025-12-01T00:00:00Z
  std::unique_ptr<CoreContext> ctx_;
  std::unique_ptr<BlobStore> blobs_;
};

}  // namespace mailjuke::core::testing
