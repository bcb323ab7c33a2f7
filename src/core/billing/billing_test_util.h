// The billing fixture of the unit tests, on SQLite and PostgreSQL (MAILJUKE_TEST_PG_URL):
// workspace ws_1 whose owner (usr_1, owner@example.com) acts through an owner API key, the
// sandbox payment provider and a BillingService over the test context (manual clock).
#pragma once

#include <memory>

#include "core/billing/billing_service.h"
#include "core/mail/mail_test_util.h"

namespace mailjuke::core::billing {

class BillingDbTest : public testing::MailDbTest {
 protected:
  void SetUp() override {
    testing::MailDbTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    owner_.kind = Principal::Kind::kApiKey;
    owner_.api_key_id = "key_owner";
    owner_.key_workspace_id = "ws_1";
    owner_.key_role = Role::kOwner;
    auto st = db_->run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
      MJ_TRY(
          tx.exec("INSERT INTO users (id, email, name, password_hash, terms_accepted_at, "
                  "business_use_confirmed_at, password_changed_at, created_at, updated_at) "
                  "VALUES ('usr_1', 'owner@example.com', 'O', 'h', 1, 1, 1, 1, 1)"));
      MJ_TRY(
          tx.exec("INSERT INTO memberships (id, workspace_id, user_id, role, created_at) "
                  "VALUES ('mem_1', 'ws_1', 'usr_1', 'owner', 1)"));
      return {};
    });
    ASSERT_TRUE(st.ok()) << st.error().message;
    provider_ = makeSandboxProvider();
    service_ = std::make_unique<BillingService>(*ctx_, *provider_);
  }

  Principal owner_;
  std::unique_ptr<PaymentProvider> provider_;
  std::unique_ptr<BillingService> service_;
};

}  // namespace mailjuke::core::billing
