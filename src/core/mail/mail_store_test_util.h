// A fixture over the test database (SQLite, and PostgreSQL with MAILJUKE_TEST_PG_URL) with a
// MailStore and a refreshed MailDirectory, for tests of what sends and receives platform mail.
#pragma once

#include <memory>

#include "core/mail/mail_store.h"
#include "core/mail/mail_test_util.h"
#include "core/mailboxes/mail_directory.h"

namespace mailjuke::core::testing {

class MailStoreDbTest : public MailDbTest {
 protected:
  void SetUp() override {
    MailDbTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store_ = std::make_unique<MailStore>(*ctx_, *blobs_);
    directory_ = std::make_unique<MailDirectory>(*ctx_);
    ASSERT_TRUE(directory_->refresh().ok());
  }
  void TearDown() override {
    directory_.reset();
    store_.reset();
    MailDbTest::TearDown();
  }

  // The first column of the first row as text: "<null>" for NULL or no row, "" on an error.
  std::string text(const std::string& sql, const store::Params& params = {}) {
    auto r = db_->read<std::string>([&](store::Tx& tx) -> Result<std::string> {
      MJ_TRY_ASSIGN(auto row, tx.queryOne(sql, params));
      return row && !row->isNull(0) ? row->text(0) : std::string("<null>");
    });
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : "";
  }

  std::unique_ptr<MailStore> store_;
  std::unique_ptr<MailDirectory> directory_;
};

}  // namespace mailjuke::core::testing
