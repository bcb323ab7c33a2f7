#include <gtest/gtest.h>
#include <zip.h>

#include <filesystem>
#include <regex>
#include <set>

#include "core/billing/ledger.h"
#include "core/privacy/data_inventory.h"
#include "core/privacy/export.h"
#include "core/privacy/flags.h"
#include "core/privacy/privacy_test_util.h"
#include "core/privacy/records.h"
#include "core/privacy/retention.h"
#include "core/privacy/subject_links.h"

namespace mailjuke::core::privacy {
namespace {

using testing::PrivacyDbTest;

const TableUse* table(std::string_view name) {
  for (const auto& t : dataInventory())
    if (t.table == name) return &t;
  return nullptr;
}

// Every table holding personal data is reachable from a person (export, erasure) or says why
// not; every link names a real column.
TEST(SubjectLinks, CoverEveryTableWithPersonalData) {
  std::set<std::string> covered;
  for (const auto& l : subjectLinks()) {
    const TableUse* t = table(l.table);
    ASSERT_TRUE(t) << l.table;
    bool found = false;
    for (const auto& c : t->columns) found |= c.column == l.column;
    EXPECT_TRUE(found) << l.table << "." << l.column;
    for (auto col : l.columns) {
      bool ok = false;
      for (const auto& c : t->columns) ok |= c.column == col;
      EXPECT_TRUE(ok) << l.table << "." << col;
    }
    covered.insert(std::string(l.table));
  }
  for (const auto& u : unlinkedTables()) {
    EXPECT_TRUE(table(u.table)) << u.table;
    EXPECT_FALSE(u.reason.empty());
    covered.insert(std::string(u.table));
  }
  for (const auto& t : dataInventory()) {
    bool personal = false;
    for (const auto& c : t.columns) personal |= c.category != Category::kNotPersonal;
    if (personal)
      EXPECT_TRUE(covered.count(std::string(t.table)))
          << t.table << " holds personal data but no subject link or reason";
  }
}

// Every table whose retention is a period has a retention job (or another module's).
TEST(RetentionRules, EveryTimeBoundTableHasAJob) {
  std::set<std::string> ruled;
  for (const auto& r : retentionRules()) {
    EXPECT_TRUE(table(r.table)) << r.table;
    ruled.insert(std::string(r.table));
  }
  const std::set<std::string> elsewhere = {
      "mail_queue",  // the delivery worker bounces after delivery.max_age_hours
      "dkim_keys",   // DomainService::deleteRetiredDkimKeys
      // A deleted workspace's books: purged whole by the legal_holds rule when the legal period
      // of their country ends (legal_hold.cpp; the triggers of 0016 allow only that DELETE).
      "ledger_accounts", "ledger_transactions", "ledger_entries", "invoices", "invoice_lines",
      "credit_notes", "credit_note_lines", "subscriptions", "payments",
      "refunds",  // also deleted with their payment by the payments rule
  };
  std::regex period(R"(\d+\s*(min|h\b|hours|days|month|year))");
  for (const auto& t : dataInventory()) {
    std::string rule(t.retention);
    if (!std::regex_search(rule, period) && rule.find("expir") == std::string::npos) continue;
    if (elsewhere.count(std::string(t.table))) continue;
    EXPECT_TRUE(ruled.count(std::string(t.table))) << t.table << ": " << rule;
  }
}

TEST(PrivacyHelpers, AddMonthsAndIpTruncation) {
  EXPECT_EQ(formatRfc3339(addMonths(parseRfc3339("2026-01-31T10:00:00Z"), 1)),
            "2026-02-28T10:00:00Z");
  EXPECT_EQ(formatRfc3339(addMonths(parseRfc3339("2028-01-31T10:00:00Z"), 1)),
            "2028-02-29T10:00:00Z");
  EXPECT_EQ(formatRfc3339(addMonths(parseRfc3339("2026-12-15T00:00:00Z"), 1)),
            "2027-01-15T00:00:00Z");
  EXPECT_EQ(formatRfc3339(addMonths(parseRfc3339("2026-03-01T00:00:00Z"), 3)),
            "2026-06-01T00:00:00Z");
  EXPECT_EQ(truncateIp("203.0.113.77"), "203.0.113.0/24");
  EXPECT_EQ(truncateIp("2001:db8:1:2:3::4"), "2001:db8:1::/48");
  EXPECT_EQ(truncateIp("203.0.113.0/24"), "203.0.113.0/24");
  EXPECT_EQ(truncateIp("not-an-ip"), "not-an-ip");
  EXPECT_EQ(csvField("=cmd()"), "'=cmd()");
  EXPECT_EQ(csvField("a,\"b\""), "\"a,\"\"b\"\"\"");
}

TEST_P(PrivacyDbTest, ConsentsAreAppendOnlyAndDriveMayProcess) {
  auto a = signup("a@example.com", true);
  auto st =
      db_->read<bool>([&](store::Tx& tx) { return mayProcess(tx, a.id, Purpose::kMarketing); });
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(*st);
  ASSERT_TRUE(privacy_
                  ->setConsents(a.principal, {{"marketing_email", false}, {"analytics", true}},
                                std::nullopt)
                  .ok());
  auto me = privacy_->myPrivacy(a.principal);
  ASSERT_TRUE(me.ok()) << me.error().message;
  EXPECT_FALSE((*me)["consents"]["marketing_email"]["granted"].get<bool>());
  EXPECT_TRUE((*me)["consents"]["analytics"]["granted"].get<bool>());
  EXPECT_EQ((*me)["consent_history"].size(), 3u);
  EXPECT_EQ((*me)["consent_history"][0]["ip"], "203.0.113.0/24");
  EXPECT_FALSE(privacy_->setConsents(a.principal, {{"tracking", true}}, std::nullopt).ok());
  // Restriction stops analytics even with consent; an objection to marketing is absolute.
  auto analytics = [&] {
    return *db_->read<bool>(
        [&](store::Tx& tx) { return mayProcess(tx, a.id, Purpose::kProductAnalytics); });
  };
  EXPECT_TRUE(analytics());
  RequestInput r{"restriction", "correct-horse-battery"};
  ASSERT_TRUE(privacy_->createRequest(a.principal, r).ok());
  EXPECT_FALSE(analytics());
  RequestInput o{"objection", "correct-horse-battery"};
  o.purpose = "marketing";
  ASSERT_TRUE(privacy_->createRequest(a.principal, o).ok());
  auto suppressed = db_->read<bool>(
      [&](store::Tx& tx) { return isSuppressed(tx, ctx_->secret_key, "A@example.com"); });
  EXPECT_TRUE(*suppressed);
  RequestInput bad{"access", "wrong password here"};
  EXPECT_FALSE(privacy_->createRequest(a.principal, bad).ok());
}

TEST_P(PrivacyDbTest, ExportHoldsThePersonsDataAndNobodyElses) {
  auto a = signup("alice@example.com");
  auto b = signup("bob@example.com");
  addWorkspace("ws_a", a.id);
  addMember("ws_a", b.id, "admin");
  exec(
      "INSERT INTO invitations (id, workspace_id, email, role, token_hash, invited_by, "
      "expires_at, created_at) VALUES ('inv_1', 'ws_a', 'carol@example.com', 'viewer', 'h', ?, "
      "9999999999, 1)",
      {a.id});
  RequestInput r{"access", "correct-horse-battery"};
  auto req = privacy_->createRequest(a.principal, r);
  ASSERT_TRUE(req.ok()) << req.error().message;
  EXPECT_EQ((*req)["status"], "completed");
  ASSERT_FALSE((*req)["download_url"].is_null());
  auto path = privacy_->exportPath(a.principal, (*req)["id"].get<std::string>());
  ASSERT_TRUE(path.ok());
  int err = 0;
  zip_t* z = zip_open(path->c_str(), ZIP_RDONLY, &err);
  ASSERT_TRUE(z);
  std::string all;
  std::set<std::string> names;
  for (zip_int64_t i = 0; i < zip_get_num_entries(z, 0); ++i) {
    names.insert(zip_get_name(z, i, 0));
    zip_stat_t st;
    zip_stat_index(z, i, 0, &st);
    std::string buf(st.size, '\0');
    zip_file_t* f = zip_fopen_index(z, i, 0);
    zip_fread(f, buf.data(), st.size);
    zip_fclose(f);
    all += buf;
  }
  zip_close(z);
  EXPECT_TRUE(names.count("manifest.json"));
  EXPECT_TRUE(names.count("account.json"));
  EXPECT_TRUE(names.count("csv/users.csv"));
  EXPECT_NE(all.find("alice@example.com"), std::string::npos);
  EXPECT_EQ(all.find("bob@example.com"), std::string::npos);
  EXPECT_EQ(all.find("carol@example.com"), std::string::npos);  // invited by Alice, not hers
  EXPECT_EQ(all.find("password_hash"), std::string::npos);
  // Another person cannot fetch it.
  EXPECT_FALSE(privacy_->exportPath(b.principal, (*req)["id"].get<std::string>()).ok());
  // After 5 days the link is gone and retention deletes the file.
  clock_.advanceSeconds(5 * 86400 + 1);
  EXPECT_FALSE(privacy_->exportPath(a.principal, (*req)["id"].get<std::string>()).ok());
  ASSERT_TRUE(runRetention(*ctx_, privacy_->settings()).ok());
  EXPECT_FALSE(std::filesystem::exists(*path));
}

TEST_P(PrivacyDbTest, ErasureFollowsTheInventoryAndKeepsTheBooks) {
  auto a = signup("erase-me@example.com", true);
  auto b = signup("stays@example.com");
  addWorkspace("ws_solo", a.id);
  addWorkspace("ws_shared", b.id);
  addMember("ws_shared", a.id, "admin");
  billing::Ledger ledger(*ctx_);
  ASSERT_TRUE(ledger.topUp("ws_solo", "USD", 5000).ok());
  exec(
      "INSERT INTO api_keys (id, workspace_id, name, role, key_hash, key_prefix, created_by, "
      "created_at) VALUES ('key_1', 'ws_shared', 'k', 'member', 'kh', 'mj_', ?, 1)",
      {a.id});
  exec(
      "INSERT INTO audit_events (id, workspace_id, actor_type, actor_id, action, ip, created_at) "
      "VALUES ('aud_x', 'ws_shared', 'user', ?, 'domain.create', '198.51.100.1', 1)",
      {a.id});
  RequestInput r{"erasure", "correct-horse-battery"};
  auto req = privacy_->createRequest(a.principal, r);
  ASSERT_TRUE(req.ok()) << req.error().message;
  EXPECT_EQ((*req)["status"], "completed");

  EXPECT_EQ(text("SELECT status FROM users WHERE id = ?", {a.id}), "erased");
  EXPECT_EQ(text("SELECT email FROM users WHERE id = ?", {a.id}).rfind("psn_", 0), 0u);
  EXPECT_EQ(text("SELECT name FROM users WHERE id = ?", {a.id}), "");
  EXPECT_EQ(count("SELECT COUNT(*) FROM sessions WHERE user_id = ?", {a.id}), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM memberships WHERE user_id = ?", {a.id}), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM consent_events WHERE user_id = ?", {a.id}), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM api_keys WHERE id = 'key_1' AND revoked_at IS NOT NULL"),
            1);
  EXPECT_EQ(text("SELECT created_by FROM api_keys WHERE id = 'key_1'").rfind("psn_", 0), 0u);
  EXPECT_EQ(text("SELECT actor_id FROM audit_events WHERE id = 'aud_x'").rfind("psn_", 0), 0u);
  EXPECT_EQ(text("SELECT ip FROM audit_events WHERE id = 'aud_x'"), "");
  // Nothing of the person's e-mail remains in any table but the outgoing confirmation.
  EXPECT_EQ(count("SELECT COUNT(*) FROM users WHERE email = 'erase-me@example.com'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM login_failures WHERE subject LIKE '%erase-me%'"), 0);
  // The other person is untouched; the shared workspace stays.
  EXPECT_EQ(text("SELECT email FROM users WHERE id = ?", {b.id}), "stays@example.com");
  EXPECT_EQ(count("SELECT COUNT(*) FROM workspaces WHERE id = 'ws_shared'"), 1);
  // Sign-in is impossible.
  EXPECT_FALSE(
      accounts_->login("erase-me@example.com", "correct-horse-battery", std::nullopt, {}).ok());
  // The solely owned workspace goes after the grace period; its books stay restricted.
  EXPECT_EQ(count("SELECT COUNT(*) FROM workspace_deletions WHERE workspace_id = 'ws_solo'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM legal_holds WHERE scope_id = 'ws_solo'"), 1);
  clock_.advanceSeconds(29 * 86400);
  ASSERT_TRUE(runRetention(*ctx_, privacy_->settings()).ok());
  EXPECT_EQ(text("SELECT status FROM workspaces WHERE id = 'ws_solo'"), "active");
  clock_.advanceSeconds(2 * 86400);
  ASSERT_TRUE(runRetention(*ctx_, privacy_->settings()).ok());
  EXPECT_EQ(text("SELECT status FROM workspaces WHERE id = 'ws_solo'"), "deleted");
  EXPECT_GT(count("SELECT COUNT(*) FROM ledger_transactions WHERE workspace_id = 'ws_solo'"), 0);
  clock_.advanceSeconds(10 * 366 * 86400);
  ASSERT_TRUE(runRetention(*ctx_, privacy_->settings()).ok());
  EXPECT_EQ(count("SELECT COUNT(*) FROM ledger_transactions WHERE workspace_id = 'ws_solo'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM workspaces WHERE id = 'ws_solo'"), 0);
}

TEST_P(PrivacyDbTest, NoLoginRequestCodeIsVoidAfterThreeWrongTries) {
  signup("known@example.com");
  Principal anon;
  auto known = privacy_->createAnonymous("known@example.com", "access", std::nullopt, anon);
  auto unknown = privacy_->createAnonymous("nobody@example.com", "access", std::nullopt, anon);
  ASSERT_TRUE(known.ok() && unknown.ok());
  EXPECT_EQ((*known)["status"], (*unknown)["status"]);
  std::string id = (*known)["id"].get<std::string>();
  std::string body = text(
      "SELECT body_text FROM outbox WHERE to_address = 'known@example.com' AND kind = "
      "'privacy_code'");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(body, m, std::regex("code: (\\d{6})")));
  std::string code = m[1];
  std::string wrong = code == "000000" ? "111111" : "000000";
  auto w1 = privacy_->verifyAnonymous(id, wrong);
  ASSERT_FALSE(w1.ok());
  EXPECT_EQ(w1.error().code, ErrorCode::kInvalid);
  EXPECT_FALSE(privacy_->verifyAnonymous(id, wrong).ok());
  auto w3 = privacy_->verifyAnonymous(id, wrong);
  ASSERT_FALSE(w3.ok());
  EXPECT_EQ(w3.error().code, ErrorCode::kGone);
  auto late = privacy_->verifyAnonymous(id, code);  // void now, even with the right code
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kGone);
  // The other one: right code within 10 minutes opens it, due in one month.
  std::string id2 = (*unknown)["id"].get<std::string>();
  body = text(
      "SELECT body_text FROM outbox WHERE to_address = 'nobody@example.com' AND kind = "
      "'privacy_code'");
  ASSERT_TRUE(std::regex_search(body, m, std::regex("code: (\\d{6})")));
  auto ok = privacy_->verifyAnonymous(id2, m[1].str());
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ((*ok)["status"], "open");
  QueueQuery q;
  auto page = privacy_->queue(q);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->data.size(), 1u);
  EXPECT_GE(page->data[0]["days_left"].get<int>(), 28);
  // A code left unused expires after 10 minutes.
  auto third = privacy_->createAnonymous("known@example.com", "erasure", std::nullopt, anon);
  clock_.advanceSeconds(601);
  ASSERT_TRUE(runRetention(*ctx_, privacy_->settings()).ok());
  EXPECT_EQ(
      text("SELECT status FROM privacy_requests WHERE id = ?", {(*third)["id"].get<std::string>()}),
      "void");
}

TEST_P(PrivacyDbTest, RetentionPurgesExpiredRowsAndTruncatesOldIps) {
  auto a = signup("r@example.com");
  int64_t now = clock_.nowSeconds();
  exec(
      "INSERT INTO audit_events (id, actor_type, action, ip, created_at, workspace_id) VALUES "
      "('aud_old', 'user', 'x', '198.51.100.23', ?, 'ws_1')",
      {now});
  exec(
      "INSERT INTO audit_events (id, actor_type, action, ip, created_at) VALUES "
      "('aud_sec', 'user', 'auth.login', '198.51.100.24', ?)",
      {now});
  EXPECT_EQ(count("SELECT COUNT(*) FROM sessions WHERE user_id = ?", {a.id}), 1);
  clock_.advanceSeconds(31 * 86400);
  auto run = runRetention(*ctx_, privacy_->settings());
  ASSERT_TRUE(run.ok()) << run.error().message;
  EXPECT_EQ(count("SELECT COUNT(*) FROM sessions WHERE user_id = ?", {a.id}), 0);
  EXPECT_EQ(text("SELECT ip FROM audit_events WHERE id = 'aud_old'"), "198.51.100.0/24");
  EXPECT_GE((*run)["audit_ip_truncation"].get<int>(), 1);
  clock_.advanceSeconds(366 * 86400);
  ASSERT_TRUE(runRetention(*ctx_, privacy_->settings()).ok());
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_events WHERE id = 'aud_sec'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_events WHERE id = 'aud_old'"), 1);
}

TEST_P(PrivacyDbTest, ProcessingRecordsAndHoldingsComeFromTheInventory) {
  auto a = signup("h@example.com");
  auto rec = db_->read<Json>([&](store::Tx& tx) { return processingRecords(tx, ctx_->settings); });
  ASSERT_TRUE(rec.ok());
  std::set<std::string> tables;
  for (const auto& r : (*rec)["records"]) {
    EXPECT_FALSE(r["legal_basis"].get<std::string>().empty());
    EXPECT_FALSE(r["data_categories"].empty());
    for (const auto& t : r["tables"]) tables.insert(t.get<std::string>());
  }
  EXPECT_TRUE(tables.count("users"));
  EXPECT_TRUE(tables.count("consent_events"));
  auto me = privacy_->myPrivacy(a.principal);
  ASSERT_TRUE(me.ok());
  std::set<std::string> held;
  for (const auto& h : (*me)["holdings"]) held.insert(h["table"].get<std::string>());
  EXPECT_TRUE(held.count("users"));
  EXPECT_TRUE(held.count("sessions"));
}

INSTANTIATE_TEST_SUITE_P(Engines, PrivacyDbTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace mailjuke::core::privacy
