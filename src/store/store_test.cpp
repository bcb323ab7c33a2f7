// Storage behaviour on both engines: SQLite (temp file) and PostgreSQL (MAILJUKE_TEST_PG_URL,
// a throw-away cluster that `make test` starts).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "base/crypto.h"
#include "base/ids.h"
#include "store/postgres/pg_database.h"
#include "store/sql/migrator.h"

namespace mailjuke::store {
namespace {

std::string freshPgUrl() {
  const char* base = std::getenv("MAILJUKE_TEST_PG_URL");
  if (!base) return "";
  auto admin = openDatabase(base, 1);
  if (!admin.ok()) return "";
  std::string name = "mj_unit_" + crypto::sha256Hex(newId("db")).substr(0, 12);
  if (!(*admin)->execScript("CREATE DATABASE " + name).ok()) return "";
  std::string url = base;
  return url.substr(0, url.rfind('/') + 1) + name;
}

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    crypto::init();
    if (GetParam() == "sqlite") {
      path_ = std::filesystem::temp_directory_path() / (newId("store") + ".db");
      url_ = "sqlite:" + path_.string();
    } else {
      url_ = freshPgUrl();
      if (url_.empty()) {
        if (std::getenv("MAILJUKE_TEST_PG_URL")) FAIL() << "cannot create a PostgreSQL database";
        GTEST_SKIP() << "MAILJUKE_TEST_PG_URL not set (make test sets it)";
      }
    }
    auto db = openDatabase(url_, 8);
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(db).value();
    auto applied = migrate(*db_);
    ASSERT_TRUE(applied.ok()) << applied.error().message;
  }
  void TearDown() override {
    db_.reset();
    if (!path_.empty()) {
      std::filesystem::remove(path_);
      std::filesystem::remove(path_.string() + "-wal");
      std::filesystem::remove(path_.string() + "-shm");
    }
  }
  std::filesystem::path path_;
  std::string url_;
  std::unique_ptr<Database> db_;
};

TEST_P(StoreTest, MigrationsAreIdempotent) {
  auto again = migrate(*db_);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
}

TEST_P(StoreTest, GenerationsMoveOnlyWhenATouchingTransactionCommits) {
  uint64_t before = db_->generation("audit:ws_a");
  uint64_t other = db_->generation("audit:ws_b");
  auto failed = db_->run(TxMode::kWrite, [&](Tx& tx) -> Status {
    tx.touch("audit:ws_a");
    return Error::invalid("x", "rolled back");
  });
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(db_->generation("audit:ws_a"), before);
  auto touched = db_->run(TxMode::kWrite, [&](Tx& tx) -> Status {
    tx.touch("audit:ws_a");
    return {};
  });
  ASSERT_TRUE(touched.ok());
  EXPECT_GT(db_->generation("audit:ws_a"), before);
  before = db_->generation("audit:ws_a");
  ASSERT_TRUE(db_->run(TxMode::kWrite,
                       [&](Tx& tx) -> Status {
                         tx.touchAll();
                         return {};
                       })
                  .ok());
  EXPECT_GT(db_->generation("audit:ws_a"), before);
  EXPECT_GT(db_->generation("audit:ws_b"), other);
}

TEST_P(StoreTest, BindParametersRoundTripAndNulls) {
  std::string tricky = "O'Brien; DROP TABLE users; -- ? \xe2\x9c\x93";
  auto st = db_->run(TxMode::kWrite, [&](Tx& tx) -> Status {
    MJ_TRY(tx.exec(
        "INSERT INTO workspaces (id, name, created_at, updated_at, dpa_version) VALUES (?,?,?,?,?)",
        {std::string("ws_1"), tricky, int64_t(1), int64_t(2), nullptr}));
    return {};
  });
  ASSERT_TRUE(st.ok()) << st.error().message;
  auto row = db_->read<std::optional<Row>>([&](Tx& tx) {
    return tx.queryOne("SELECT name, created_at, dpa_version FROM workspaces WHERE id = ?",
                       {std::string("ws_1")});
  });
  ASSERT_TRUE(row.ok());
  ASSERT_TRUE(row->has_value());
  EXPECT_EQ((*row)->text(0), tricky);
  EXPECT_EQ((*row)->integer(1), 1);
  EXPECT_TRUE((*row)->isNull(2));
}

TEST_P(StoreTest, UniqueViolationIsConflictAndRollsBack) {
  auto insert = [&](const std::string& id) {
    return db_->run(TxMode::kWrite, [&](Tx& tx) -> Status {
      MJ_TRY(tx.exec("INSERT INTO workspaces (id, name, created_at, updated_at) VALUES (?,?,1,1)",
                     {std::string("ws_other"), std::string("a")}));
      MJ_TRY(tx.exec("INSERT INTO workspaces (id, name, created_at, updated_at) VALUES (?,?,1,1)",
                     {id, std::string("b")}));
      return {};
    });
  };
  ASSERT_TRUE(insert("ws_a").ok());
  auto dup = insert("ws_a");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kConflict);
  auto count = db_->read<int64_t>([&](Tx& tx) -> Result<int64_t> {
    MJ_TRY_ASSIGN(auto r, tx.queryOne("SELECT COUNT(*) FROM workspaces"));
    return r->integer(0);
  });
  EXPECT_EQ(*count, 2);
}

// 100 concurrent debits against a balance that covers exactly 50: exactly 50 succeed and the
// balance never goes below zero (the pattern the wallet uses: lock the row, check, update).
TEST_P(StoreTest, ConcurrentDebitsNeverOverdraw) {
  ASSERT_TRUE(db_->run(TxMode::kWrite,
                       [&](Tx& tx) -> Status {
                         MJ_TRY(
                             tx.exec("INSERT INTO workspaces (id, name, settings, created_at, "
                                     "updated_at) VALUES ('ws_w','w','50',1,1)"));
                         return {};
                       })
                  .ok());
  std::atomic<int> ok{0}, refused{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 100; ++i) {
    threads.emplace_back([&] {
      auto st = db_->run(TxMode::kWrite, [&](Tx& tx) -> Status {
        MJ_TRY_ASSIGN(auto row,
                      tx.queryOne(std::string("SELECT settings FROM workspaces WHERE id = 'ws_w'") +
                                  tx.forUpdate()));
        int64_t balance = std::stoll(row->text(0));
        if (balance < 1) return Error::make(ErrorCode::kPaymentRequired, "insufficient");
        MJ_TRY(tx.exec("UPDATE workspaces SET settings = ? WHERE id = 'ws_w'",
                       {std::to_string(balance - 1)}));
        return {};
      });
      if (st.ok())
        ++ok;
      else if (st.error().code == ErrorCode::kPaymentRequired)
        ++refused;
      else
        ++failed;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 50);
  EXPECT_EQ(refused.load(), 50);
  EXPECT_EQ(failed.load(), 0);
  auto bal = db_->read<std::string>([&](Tx& tx) -> Result<std::string> {
    MJ_TRY_ASSIGN(auto r, tx.queryOne("SELECT settings FROM workspaces WHERE id = 'ws_w'"));
    return r->text(0);
  });
  EXPECT_EQ(*bal, "0");
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreTest, ::testing::Values("sqlite", "postgres"));

TEST(Placeholders, RewrittenOutsideQuotes) {
  EXPECT_EQ(rewritePlaceholders("SELECT ? , '?', \"?\" WHERE a = ?"),
            "SELECT $1 , '?', \"?\" WHERE a = $2");
}

}  // namespace
}  // namespace mailjuke::store
