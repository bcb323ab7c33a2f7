// Fixture for the privacy tests: the mail test database (SQLite, or PostgreSQL when
// MAILJUKE_TEST_PG_URL is set) with an AccountService at a cheap password cost, and helpers
// that create people and workspaces.
#pragma once

#include <string>

#include "core/accounts/account_service.h"
#include "core/mail/mail_test_util.h"
#include "core/privacy/privacy_service.h"

namespace mailjuke::core::privacy::testing {

class PrivacyDbTest : public core::testing::MailDbTest {
 protected:
  void SetUp() override {
    MailDbTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ctx_->settings.password_ops = 1;
    ctx_->settings.password_mem_bytes = 64 * 1024;
    PrivacySettings settings;
    settings.export_dir = (dir_ / "exports").string();
    settings.blob_dir = (dir_ / "blobs").string();
    accounts_ = std::make_unique<AccountService>(*ctx_);
    privacy_ = std::make_unique<PrivacyService>(*ctx_, settings, *accounts_, nullptr);
  }

  struct Person {
    std::string id, email;
    Principal principal;
  };
  Person signup(const std::string& email, bool marketing = false) {
    Principal from;
    from.ip = "203.0.113.77";
    from.user_agent = "Test/1.0";
    SignupInput in{email,    "correct-horse-battery", "Name of " + email, std::nullopt, true, true,
                   marketing};
    auto s = accounts_->signup(in, from);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    Person p{s->user["id"].get<std::string>(), email, from};
    p.principal.kind = Principal::Kind::kUser;
    p.principal.user_id = p.id;
    p.principal.session_id = s->session_id;
    return p;
  }
  void exec(const std::string& sql, const store::Params& params = {}) {
    auto st = db_->run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
      MJ_TRY(tx.exec(sql, params));
      return {};
    });
    ASSERT_TRUE(st.ok()) << st.error().message << " in " << sql;
  }
  std::string text(const std::string& sql, const store::Params& params = {}) {
    auto r = db_->read<std::string>([&](store::Tx& tx) -> Result<std::string> {
      MJ_TRY_ASSIGN(auto row, tx.queryOne(sql, params));
      return row ? row->text(0) : std::string("<none>");
    });
    return r.ok() ? *r : "<error>";
  }
  void addWorkspace(const std::string& ws, const std::string& owner) {
    exec("INSERT INTO workspaces (id, name, created_at, updated_at) VALUES (?, ?, 1, 1)",
         {ws, "Workspace " + ws});
    addMember(ws, owner, "owner");
  }
  void addMember(const std::string& ws, const std::string& user, const std::string& role) {
    exec(
        "INSERT INTO memberships (id, workspace_id, user_id, role, created_at) VALUES "
        "(?,?,?,?,1)",
        {newId("mem"), ws, user, role});
  }

  std::unique_ptr<AccountService> accounts_;
  std::unique_ptr<PrivacyService> privacy_;
};

}  // namespace mailjuke::core::privacy::testing
