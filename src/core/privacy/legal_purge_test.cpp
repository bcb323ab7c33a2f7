// The legal-period purge (docs/privacy.md "Legal holds and the purge"): an erased owner's
// workspace's invoices, credit notes, payments and ledger stay restricted and immutable for the
// legal period, then the retention job purges them whole (SQLite, and PostgreSQL when
// MAILJUKE_TEST_PG_URL is set).
#include <gtest/gtest.h>

#include "core/billing/ledger.h"
#include "core/privacy/legal_hold.h"
#include "core/privacy/privacy_test_util.h"
#include "core/privacy/retention.h"

namespace mailjuke::core::privacy {
namespace {

class LegalPurgeTest : public testing::PrivacyDbTest {
 protected:
  int64_t count(const std::string& sql, const store::Params& params = {}) {
    return std::stoll(text(sql, params));
  }
  // Runs the statements in one transaction; the result says whether the database took them.
  bool tryWrite(const std::vector<std::string>& sqls, const store::Params& params = {}) {
    auto st = db_->run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
      for (const auto& sql : sqls) MJ_TRY(tx.exec(sql, params));
      return {};
    });
    return st.ok();
  }
  // A paid DE invoice with a line, a credit note with a line, and its card payment, at t0.
  void addBooks(const std::string& ws, const std::string& n, int64_t t0) {
    exec(
        "INSERT INTO invoices (id, workspace_id, status, reason, currency, total, seller_country, "
        "buyer_name, buyer_email, created_at, updated_at) VALUES (?, ?, 'draft', "
        "'subscription_create', 'USD', 1200, 'DE', 'Buyer', 'buyer@example.com', ?, ?)",
        {"inv_" + n, ws, t0, t0});
    exec(
        "INSERT INTO invoice_lines (id, invoice_id, position, description, quantity, unit_amount, "
        "amount) VALUES (?, ?, 1, 'Starter plan', 1, 1200, 1200)",
        {"inl_" + n, "inv_" + n});
    exec(
        "UPDATE invoices SET status = 'paid', number = ?, finalized_at = ?, paid_at = ?, "
        "paid_with = 'card' WHERE id = ?",
        {"MJ-" + n, t0, t0, "inv_" + n});
    exec(
        "INSERT INTO credit_notes (id, workspace_id, invoice_id, number, reason, currency, total, "
        "settlement, created_at) VALUES (?, ?, ?, ?, 'goodwill', 'USD', 200, 'wallet', ?)",
        {"crn_" + n, ws, "inv_" + n, "MJCN-" + n, t0});
    exec(
        "INSERT INTO credit_note_lines (id, credit_note_id, position, description, amount) "
        "VALUES (?, ?, 1, 'Goodwill', 200)",
        {"cnl_" + n, "crn_" + n});
    exec(
        "INSERT INTO payments (id, workspace_id, purpose, invoice_id, amount, currency, "
        "payment_method, provider, status, created_at, updated_at) VALUES (?, ?, 'invoice', ?, "
        "1200, 'USD', 'tok_visa', 'fake', 'succeeded', ?, ?)",
        {"pay_" + n, ws, "inv_" + n, t0, t0});
  }
  int64_t books(const std::string& ws) {
    int64_t n = 0;
    for (const char* t :
         {"invoices", "credit_notes", "payments", "ledger_transactions", "ledger_accounts"})
      n += count(std::string("SELECT COUNT(*) FROM ") + t + " WHERE workspace_id = ?", {ws});
    return n;
  }
};

TEST(LegalRetention, PeriodPerCountryElseTheDefault) {
  PrivacySettings s;
  s.legal_retention_by_country = {{"NL", 7}, {"DE", 10}};
  s.legal_retention_years = 9;
  EXPECT_EQ(legalRetentionYears(s, "NL"), 7);
  EXPECT_EQ(legalRetentionYears(s, "DE"), 10);
  EXPECT_EQ(legalRetentionYears(s, "FR"), 9);
  EXPECT_EQ(legalRetentionYears(s, ""), 9);
}

TEST_P(LegalPurgeTest, ErasedOwnersBooksStayImmutableForTheLegalPeriodThenGoWhole) {
  const int64_t t0 = clock_.nowSeconds();
  const int64_t period = 10 * kLegalYearSeconds, day = 86400;
  auto a = signup("owner@example.com");
  auto b = signup("keeps@example.com");
  addWorkspace("ws_gone", a.id);
  addWorkspace("ws_live", b.id);
  billing::Ledger ledger(*ctx_);
  ASSERT_TRUE(ledger.topUp("ws_gone", "USD", 5000).ok());
  ASSERT_TRUE(ledger.charge("ws_gone", "USD", 1200, "Starter plan").ok());
  ASSERT_TRUE(ledger.topUp("ws_live", "USD", 700).ok());
  addBooks("ws_gone", "1", t0);
  addBooks("ws_live", "2", t0);

  RequestInput r{"erasure", "correct-horse-battery"};
  auto req = privacy_->createRequest(a.principal, r);
  ASSERT_TRUE(req.ok()) << req.error().message;
  EXPECT_EQ((*req)["outcome"]["legal_holds"], 1);
  // Every finalised record of the workspace carries its end of the legal period (DE: default).
  EXPECT_EQ(count("SELECT purge_after FROM invoices WHERE id = 'inv_1'"), t0 + period);
  EXPECT_EQ(count("SELECT purge_after FROM credit_notes WHERE id = 'crn_1'"), t0 + period);
  EXPECT_EQ(count("SELECT COUNT(*) FROM invoices WHERE purge_after IS NOT NULL"), 1);
  EXPECT_EQ(count("SELECT purge_after FROM legal_holds WHERE scope_id = 'ws_gone'"), t0 + period);

  // After the grace period the workspace's content goes; the books stay, restricted.
  clock_.advanceSeconds(31 * day);
  ASSERT_TRUE(runRetention(*ctx_, privacy_->settings()).ok());
  EXPECT_EQ(text("SELECT status FROM workspaces WHERE id = 'ws_gone'"), "deleted");
  const int64_t kept = books("ws_gone");
  EXPECT_EQ(kept, 6);  // invoice, credit note, payment, 2 ledger transactions, the wallet

  // Still immutable: no content change, no earlier purge date, no DELETE — not even with the
  // purge clock set to now, as long as the period has not passed.
  EXPECT_FALSE(tryWrite({"UPDATE invoices SET total = 1 WHERE id = 'inv_1'"}));
  EXPECT_FALSE(tryWrite({"UPDATE invoices SET buyer_name = 'X' WHERE id = 'inv_1'"}));
  EXPECT_FALSE(tryWrite({"UPDATE invoices SET purge_after = 1 WHERE id = 'inv_1'"}));
  EXPECT_FALSE(tryWrite({"UPDATE invoices SET purge_after = NULL WHERE id = 'inv_1'"}));
  EXPECT_FALSE(tryWrite({"UPDATE credit_notes SET total = 1 WHERE id = 'crn_1'"}));
  EXPECT_FALSE(tryWrite({"UPDATE credit_notes SET purge_after = 1 WHERE id = 'crn_1'"}));
  EXPECT_FALSE(tryWrite({"DELETE FROM invoice_lines WHERE id = 'inl_1'"}));
  EXPECT_FALSE(tryWrite({"DELETE FROM invoices WHERE id = 'inv_1'"}));
  EXPECT_FALSE(tryWrite({"DELETE FROM credit_note_lines WHERE id = 'cnl_1'"}));
  EXPECT_FALSE(tryWrite({"DELETE FROM credit_notes WHERE id = 'crn_1'"}));
  EXPECT_FALSE(tryWrite({"UPDATE legal_purge_clock SET purging_at = ?",
                         "DELETE FROM credit_note_lines WHERE id = 'cnl_1'"},
                        {clock_.nowSeconds()}));

  // The legal period minus a day: nothing goes, everything is still immutable.
  clock_.setSeconds(t0 + period - day);
  auto early = runRetention(*ctx_, privacy_->settings());
  ASSERT_TRUE(early.ok()) << early.error().message;
  EXPECT_EQ((*early)["legal_holds"], 0);
  EXPECT_EQ(books("ws_gone"), kept);
  EXPECT_FALSE(tryWrite({"UPDATE legal_purge_clock SET purging_at = ?",
                         "DELETE FROM invoice_lines WHERE id = 'inl_1'"},
                        {clock_.nowSeconds()}));
  EXPECT_FALSE(tryWrite({"UPDATE invoices SET total = 1 WHERE id = 'inv_1'"}));
  EXPECT_EQ(count("SELECT purging_at FROM legal_purge_clock"), 0);

  // The legal period plus a day: the books go whole; the ledger still balances.
  clock_.setSeconds(t0 + period + day);
  auto late = runRetention(*ctx_, privacy_->settings());
  ASSERT_TRUE(late.ok()) << late.error().message;
  EXPECT_EQ((*late)["legal_holds"], 1);
  EXPECT_EQ(books("ws_gone"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM invoice_lines WHERE id = 'inl_1'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM credit_note_lines WHERE id = 'cnl_1'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM workspaces WHERE id = 'ws_gone'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM legal_holds WHERE scope_id = 'ws_gone' AND purged_at "
                  "IS NOT NULL"),
            1);
  EXPECT_EQ(count("SELECT purging_at FROM legal_purge_clock"), 0);
  auto inv = ledger.checkInvariants();
  EXPECT_TRUE(inv.ok()) << inv.error().message;
  EXPECT_EQ(count("SELECT COUNT(*) FROM (SELECT currency FROM ledger_entries GROUP BY currency "
                  "HAVING SUM(CASE WHEN side = 'debit' THEN amount ELSE -amount END) <> 0) x"),
            0);
  // The other workspace's books are untouched, and its invoice still immutable.
  EXPECT_EQ(books("ws_live"), 5);  // invoice, credit note, payment, top-up, wallet
  auto bal = ledger.balance("ws_live", "USD");
  ASSERT_TRUE(bal.ok());
  EXPECT_EQ(*bal, 700);
  EXPECT_FALSE(tryWrite(
      {"UPDATE legal_purge_clock SET purging_at = ?", "DELETE FROM invoices WHERE id = 'inv_2'"},
      {clock_.nowSeconds()}));
}

TEST_P(LegalPurgeTest, DeletedWorkspaceBooksAreHeldForTheirCountrysPeriod) {
  const int64_t t0 = clock_.nowSeconds(), day = 86400;
  auto a = signup("nl@example.com");
  addWorkspace("ws_nl", a.id);
  addBooks("ws_nl", "3", t0);
  exec("UPDATE workspaces SET status = 'deleted', updated_at = ? WHERE id = 'ws_nl'", {t0});
  PrivacySettings s = privacy_->settings();
  s.legal_retention_by_country = {{"DE", 7}};  // the invoices' seller country
  clock_.advanceSeconds(31 * day);
  ASSERT_TRUE(runRetention(*ctx_, s).ok());
  // Deleted 30 days ago: members and content gone, the books held for DE's 7 years.
  EXPECT_EQ(count("SELECT COUNT(*) FROM memberships WHERE workspace_id = 'ws_nl'"), 0);
  EXPECT_EQ(count("SELECT purge_after FROM invoices WHERE id = 'inv_3'"),
            t0 + 7 * kLegalYearSeconds);
  EXPECT_EQ(count("SELECT purge_after FROM legal_holds WHERE scope_id = 'ws_nl'"),
            t0 + 7 * kLegalYearSeconds);
  clock_.setSeconds(t0 + 7 * kLegalYearSeconds + day);
  ASSERT_TRUE(runRetention(*ctx_, s).ok());
  EXPECT_EQ(books("ws_nl"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM workspaces WHERE id = 'ws_nl'"), 0);
}

INSTANTIATE_TEST_SUITE_P(Engines, LegalPurgeTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace mailjuke::core::privacy
