// The breach register with its 72-hour alert, marketing sends with one-click unsubscribe, and
// analytics with small-group suppression, on a ManualClock (SQLite, and PostgreSQL when
// MAILJUKE_TEST_PG_URL is set).
#include <gtest/gtest.h>

#include <zip.h>

#include <filesystem>
#include <regex>

#include "base/clock.h"
#include "core/privacy/analytics.h"
#include "core/privacy/anonymous_export.h"
#include "core/privacy/breaches.h"
#include "core/privacy/consents.h"
#include "core/privacy/flags.h"
#include "core/privacy/marketing.h"
#include "core/privacy/privacy_test_util.h"
#include "core/privacy/retention.h"
#include "core/privacy/workspace_export.h"

namespace mailjuke::core::privacy {
namespace {

class PrivacyMoreTest : public testing::PrivacyDbTest {
 protected:
  Person makeOperator(const std::string& email) {
    auto p = signup(email);
    exec("UPDATE users SET is_operator = 1 WHERE id = ?", {p.id});
    p.principal.is_operator = true;
    return p;
  }
  int64_t count(const std::string& sql, const store::Params& params = {}) {
    return std::stoll(text(sql, params));
  }
  void grant(const std::string& user, const std::string& purpose, bool granted = true) {
    auto st = db_->run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
      return recordConsent(tx, {user, purpose, granted, "2026-04", "settings", "", ""},
                           clock_.nowSeconds());
    });
    ASSERT_TRUE(st.ok());
  }
  void flag(const std::string& user, const std::string& kind, const std::string& purpose) {
    auto st = db_->run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
      return setFlag(tx, user, kind, purpose, clock_.nowSeconds());
    });
    ASSERT_TRUE(st.ok());
  }
  Json breach(const std::string& id) {
    auto j = db_->read<Json>([&](store::Tx& tx) { return getBreach(tx, id, clock_.nowSeconds()); });
    EXPECT_TRUE(j.ok());
    return j.ok() ? *j : Json();
  }
};

TEST_P(PrivacyMoreTest, BreachAlertsOperatorsOnceWhen72HoursPassWithoutNotification) {
  auto op = makeOperator("dpo@example.com");
  auto op2 = makeOperator("security@example.com");
  std::string now = formatRfc3339(clock_.nowSeconds());
  std::string before = formatRfc3339(clock_.nowSeconds() - 3600);
  // Bad input is refused with the field named.
  auto bad = createBreach(*ctx_, {{"description", "x"}, {"detected_at", now}, {"aware_at", before}},
                          op.principal);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().fields.at(0).field, "aware_at");
  bad =
      createBreach(*ctx_, {{"description", "x"}, {"detected_at", before}, {"categories", {"dna"}}},
                   op.principal);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().fields.at(0).field, "categories");
  EXPECT_FALSE(createBreach(*ctx_, {{"description", "x"}}, op.principal).ok());

  auto b = createBreach(*ctx_,
                        {{"description", "Backup bucket readable"},
                         {"detected_at", before},
                         {"categories", {"contact", "account"}},
                         {"people_affected", 120},
                         {"measures", "bucket closed"}},
                        op.principal);
  ASSERT_TRUE(b.ok()) << b.error().message;
  const std::string id = (*b)["id"].get<std::string>();
  EXPECT_EQ((*b)["status"], "open");
  EXPECT_EQ((*b)["aware_at"], now);
  EXPECT_FALSE((*b)["overdue"].get<bool>());
  EXPECT_EQ((*b)["categories"], Json({"account", "contact"}));

  clock_.advanceSeconds(71 * 3600);
  auto r = runRetention(*ctx_, privacy_->settings());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["breach_alerts"], 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbox WHERE kind = 'breach_alert'"), 0);

  clock_.advanceSeconds(2 * 3600);  // 73 h after awareness
  r = runRetention(*ctx_, privacy_->settings());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["breach_alerts"], 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbox WHERE kind = 'breach_alert'"), 2);  // each op
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbox WHERE kind = 'breach_alert' AND to_address = ?",
                  {op2.email}),
            1);
  Json j = breach(id);
  EXPECT_TRUE(j["overdue"].get<bool>());
  EXPECT_EQ(j["hours_past_deadline"], 1);
  EXPECT_FALSE(j["alerted_at"].is_null());
  // Once only.
  clock_.advanceSeconds(3600);
  r = runRetention(*ctx_, privacy_->settings());
  EXPECT_EQ((*r)["breach_alerts"], 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbox WHERE kind = 'breach_alert'"), 2);

  // Notifying the authority ends the overdue state; the history keeps every step.
  auto u = updateBreach(
      *ctx_, id,
      {{"authority_notified_at", formatRfc3339(clock_.nowSeconds())}, {"status", "contained"}},
      op.principal);
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_FALSE((*u)["overdue"].get<bool>());
  EXPECT_EQ((*u)["hours_past_deadline"], 0);
  ASSERT_EQ((*u)["history"].size(), 3u);
  EXPECT_EQ((*u)["history"][0]["action"], "created");
  EXPECT_EQ((*u)["history"][1]["action"], "alerted");
  EXPECT_EQ((*u)["history"][2]["action"], "updated");
  EXPECT_EQ((*u)["history"][2]["changes"]["status"]["from"], "open");
  EXPECT_EQ((*u)["history"][2]["changes"]["status"]["to"], "contained");
  // A notification before awareness is refused; the register is unchanged.
  auto early = updateBreach(*ctx_, id, {{"authority_notified_at", before}}, op.principal);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().fields.at(0).field, "authority_notified_at");
  EXPECT_EQ(breach(id)["history"].size(), 3u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_events WHERE action LIKE 'breach.%'"), 2);
}

TEST_P(PrivacyMoreTest, MarketingGoesOnlyToConsentingPeopleAndUnsubscribesInOneClick) {
  auto op = makeOperator("ops@example.com");
  auto yes = signup("yes@example.com", true);
  auto no = signup("no@example.com", false);
  auto restricted = signup("restricted@example.com", true);
  auto objects = signup("objects@example.com", true);
  auto suppressed = signup("suppressed@example.com", true);
  flag(restricted.id, "restriction", "all");
  flag(objects.id, "objection", "marketing");
  ASSERT_TRUE(db_->run(store::TxMode::kWrite,
                       [&](store::Tx& tx) {
                         return suppress(tx, ctx_->secret_key, suppressed.email, "bounce", 1);
                       })
                  .ok());
  (void)no;

  auto s = sendMarketing(*ctx_, "News", "Hello", op.principal);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ((*s)["recipients"], 1);
  EXPECT_EQ((*s)["skipped"], 5);  // no, restricted, objects, suppressed, the operator
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbox WHERE kind = 'marketing'"), 1);
  EXPECT_EQ(text("SELECT to_address FROM outbox WHERE kind = 'marketing'"), yes.email);
  Json headers = Json::parse(text("SELECT headers FROM outbox WHERE kind = 'marketing'"));
  const std::string token = unsubscribeToken(ctx_->secret_key, yes.id);
  EXPECT_EQ(headers["List-Unsubscribe"],
            "<https://127.0.0.1:8080/api/v1/unsubscribe?t=" + token + ">");
  EXPECT_EQ(headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");
  EXPECT_FALSE(sendMarketing(*ctx_, "Bad\r\nBcc: x", "Hello", op.principal).ok());

  // Tampered tokens name nobody; GET changes nothing.
  EXPECT_FALSE(unsubscribeTokenUser(ctx_->secret_key, no.id + token.substr(token.find('.'))));
  EXPECT_FALSE(unsubscribe(*ctx_, token + "0").ok());
  auto st = unsubscribeStatus(*ctx_, token);
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE((*st)["subscribed"].get<bool>());
  EXPECT_EQ((*st)["email"], "ye***@example.com");
  auto un = unsubscribe(*ctx_, token);
  ASSERT_TRUE(un.ok());
  EXPECT_TRUE((*un)["unsubscribed"].get<bool>());
  EXPECT_EQ(text("SELECT method FROM consent_events WHERE user_id = ? AND purpose = "
                 "'marketing_email' AND granted = 0",
                 {yes.id}),
            "one_click_unsubscribe");
  EXPECT_FALSE((*unsubscribeStatus(*ctx_, token))["subscribed"].get<bool>());
  // Idempotent, and nothing more is sent.
  ASSERT_TRUE(unsubscribe(*ctx_, token).ok());
  EXPECT_EQ(count("SELECT COUNT(*) FROM consent_events WHERE user_id = ? AND granted = 0 AND "
                  "purpose = 'marketing_email'",
                  {yes.id}),
            1);
  s = sendMarketing(*ctx_, "More news", "Hello again", op.principal);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)["recipients"], 0);
}

TEST_P(PrivacyMoreTest, AnalyticsIsPseudonymousConsentedAggregatedAndSuppressesSmallGroups) {
  std::vector<Person> people;
  for (int i = 0; i < 6; ++i) {
    people.push_back(signup("user" + std::to_string(i) + "@example.com"));
    addWorkspace("ws_a" + std::to_string(i), people.back().id);
    grant(people.back().id, "analytics");
  }
  auto refused = signup("refused@example.com");
  auto restricted = signup("restricted@example.com");
  grant(restricted.id, "analytics");
  flag(restricted.id, "restriction", "all");
  auto objects = signup("objects@example.com");
  grant(objects.id, "analytics");
  flag(objects.id, "objection", "product_analytics");

  for (int i = 0; i < 6; ++i) {
    auto r = recordUsage(*ctx_, people[i].id, "ws_a" + std::to_string(i), "domain_added", false);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(*r);
  }
  for (int i = 0; i < 2; ++i)
    EXPECT_TRUE(
        *recordUsage(*ctx_, people[i].id, "ws_a" + std::to_string(i), "mailbox_created", false));
  EXPECT_FALSE(*recordUsage(*ctx_, refused.id, "", "login", false));
  EXPECT_FALSE(*recordUsage(*ctx_, restricted.id, "", "login", false));
  EXPECT_FALSE(*recordUsage(*ctx_, objects.id, "", "login", false));
  EXPECT_FALSE(*recordUsage(*ctx_, people[0].id, "", "login", true));  // Sec-GPC: 1
  EXPECT_FALSE(recordUsage(*ctx_, people[0].id, "", "Bad Event", false).ok());
  EXPECT_EQ(count("SELECT COUNT(*) FROM analytics_events"), 8);
  // No identifier in the raw rows: the HMAC of the id, never the id or address.
  EXPECT_EQ(count("SELECT COUNT(*) FROM analytics_events WHERE subject_hmac = ? OR "
                  "subject_hmac LIKE '%@%'",
                  {people[0].id}),
            0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM analytics_events WHERE subject_hmac = ?",
                  {analyticsSubject(ctx_->secret_key, people[0].id)}),
            2);

  const std::string today = formatDate(clock_.nowSeconds());
  // Today is not complete: nothing aggregated yet.
  ASSERT_TRUE(runRetention(*ctx_, privacy_->settings()).ok());
  EXPECT_EQ(count("SELECT COUNT(*) FROM analytics_daily"), 0);
  clock_.advanceSeconds(86400);
  ASSERT_TRUE(runRetention(*ctx_, privacy_->settings()).ok());
  auto rep = db_->read<Json>(
      [&](store::Tx& tx) { return analyticsReport(tx, today, today, std::nullopt); });
  ASSERT_TRUE(rep.ok());
  ASSERT_EQ((*rep)["data"].size(), 2u);
  EXPECT_EQ((*rep)["data"][0]["event"], "domain_added");
  EXPECT_EQ((*rep)["data"][0]["events"], 6);
  EXPECT_EQ((*rep)["data"][0]["workspaces"], 6);
  EXPECT_EQ((*rep)["data"][1]["event"], "mailbox_created");
  EXPECT_TRUE((*rep)["data"][1]["suppressed"].get<bool>());
  EXPECT_FALSE((*rep)["data"][1].contains("events"));
  // Counted once only.
  ASSERT_TRUE(runRetention(*ctx_, privacy_->settings()).ok());
  EXPECT_EQ(text("SELECT events FROM analytics_daily WHERE event = 'domain_added'"), "6");
  auto bad = db_->read<Json>(
      [&](store::Tx& tx) { return analyticsReport(tx, "2026-13-01", today, std::nullopt); });
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().fields.at(0).field, "from");

  // Raw rows go after 13 months; the counts stay.
  clock_.advanceSeconds(395 * 86400);
  ASSERT_TRUE(runRetention(*ctx_, privacy_->settings()).ok());
  EXPECT_EQ(count("SELECT COUNT(*) FROM analytics_events"), 8);
  clock_.advanceSeconds(2 * 86400);
  ASSERT_TRUE(runRetention(*ctx_, privacy_->settings()).ok());
  EXPECT_EQ(count("SELECT COUNT(*) FROM analytics_events"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM analytics_daily"), 2);
}

TEST_P(PrivacyMoreTest, NoLoginAccessRequestIsExportedAndTheLinkEmailed) {
  signup("known@example.com");
  Principal anon;
  auto known = privacy_->createAnonymous("known@example.com", "access", std::nullopt, anon);
  auto unknown = privacy_->createAnonymous("nobody@example.com", "access", std::nullopt, anon);
  ASSERT_TRUE(known.ok() && unknown.ok());
  auto codeFor = [&](const std::string& to) {
    std::string body = text(
        "SELECT body_text FROM outbox WHERE to_address = ? AND kind = "
        "'privacy_code'",
        {to});
    std::smatch m;
    EXPECT_TRUE(std::regex_search(body, m, std::regex("code: (\\d{6})")));
    return m[1].str();
  };
  const std::string id = (*known)["id"].get<std::string>();
  const std::string id2 = (*unknown)["id"].get<std::string>();
  auto a = privacy_->verifyAnonymous(id, codeFor("known@example.com"));
  auto b = privacy_->verifyAnonymous(id2, codeFor("nobody@example.com"));
  ASSERT_TRUE(a.ok() && b.ok());
  // The same answer whether or not an account exists.
  EXPECT_EQ((*a)["status"], (*b)["status"]);
  EXPECT_EQ(text("SELECT status FROM privacy_requests WHERE id = ?", {id}), "completed");
  EXPECT_EQ(text("SELECT status FROM privacy_requests WHERE id = ?", {id2}), "open");
  std::string mail = text(
      "SELECT body_text FROM outbox WHERE to_address = 'known@example.com' "
      "AND kind = 'privacy_request'");
  const std::string token = exportDownloadToken(ctx_->secret_key, id);
  EXPECT_NE(mail.find("/api/v1/privacy/requests/" + id + "/download?t=" + token), std::string::npos)
      << mail;
  auto path = exportPathByToken(*ctx_, id, token);
  ASSERT_TRUE(path.ok()) << path.error().message;
  EXPECT_FALSE(exportPathByToken(*ctx_, id, token.substr(1) + "0").ok());
  EXPECT_FALSE(exportPathByToken(*ctx_, id2, exportDownloadToken(ctx_->secret_key, id2)).ok());
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbox WHERE to_address = 'nobody@example.com' AND kind "
                  "= 'privacy_request'"),
            0);
  clock_.advanceSeconds(5 * 86400 + 1);
  auto gone = exportPathByToken(*ctx_, id, token);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, ErrorCode::kGone);
}

TEST_P(PrivacyMoreTest, WorkspaceExportIsOwnerOnlyAndLeavesSecretsOut) {
  auto owner = signup("owner@example.com");
  auto admin = signup("admin@example.com");
  auto other = signup("other@example.com");
  addWorkspace("ws_x", owner.id);
  addMember("ws_x", admin.id, "admin");
  exec(
      "INSERT INTO domains (id, workspace_id, name, unicode_name, source, status, "
      "verification_token, zone_serial, created_at, updated_at) VALUES ('dom_wx', 'ws_x', "
      "'wx.example', 'wx.example', 'external', 'active', 'tok', 1, 1, 1)");
  exec(
      "INSERT INTO mailboxes (id, workspace_id, domain_id, local_part, first_name, last_name, "
      "password_hash, password_sealed, daily_limit, status, created_at, updated_at) VALUES "
      "('mbx_wx', 'ws_x', 'dom_wx', 'sales', 'Sam', 'Seller', '$argon2id$secret', 'sealed', 50, "
      "'active', 1, 1)");
  auto denied = startWorkspaceExport(*ctx_, admin.principal, "ws_x");
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(startWorkspaceExport(*ctx_, other.principal, "ws_x").error().code,
            ErrorCode::kNotFound);
  auto started = startWorkspaceExport(*ctx_, owner.principal, "ws_x");
  ASSERT_TRUE(started.ok()) << started.error().message;
  const std::string id = (*started)["id"].get<std::string>();
  ASSERT_TRUE(
      buildWorkspaceExport(*ctx_, (dir_ / "exports").string(), (dir_ / "blobs").string(), 5, id)
          .ok());
  auto got = getWorkspaceExport(*ctx_, owner.principal, "ws_x", id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ((*got)["status"], "completed") << got->dump();
  auto path = workspaceExportPath(*ctx_, owner.principal, "ws_x", id);
  ASSERT_TRUE(path.ok()) << path.error().message;
  int err = 0;
  zip_t* z = zip_open(path->c_str(), ZIP_RDONLY, &err);
  ASSERT_TRUE(z);
  std::string all;
  for (zip_int64_t i = 0; i < zip_get_num_entries(z, 0); ++i) {
    zip_stat_t st;
    zip_stat_index(z, i, 0, &st);
    zip_file_t* f = zip_fopen_index(z, i, 0);
    std::string buf(st.size, '\0');
    zip_fread(f, buf.data(), st.size);
    zip_fclose(f);
    all += buf;
  }
  zip_close(z);
  EXPECT_NE(all.find("wx.example"), std::string::npos);
  EXPECT_NE(all.find("Seller"), std::string::npos);
  EXPECT_NE(all.find("admin@example.com"), std::string::npos);
  EXPECT_EQ(all.find("argon2id"), std::string::npos);
  EXPECT_EQ(all.find("other@example.com"), std::string::npos);
  EXPECT_FALSE(workspaceExportPath(*ctx_, admin.principal, "ws_x", id).ok());
  // The link lasts 5 days; then retention deletes the file.
  clock_.advanceSeconds(5 * 86400 + 1);
  EXPECT_EQ(workspaceExportPath(*ctx_, owner.principal, "ws_x", id).error().code, ErrorCode::kGone);
  ASSERT_TRUE(runRetention(*ctx_, privacy_->settings()).ok());
  EXPECT_FALSE(std::filesystem::exists(*path));
}

INSTANTIATE_TEST_SUITE_P(Engines, PrivacyMoreTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace mailjuke::core::privacy
