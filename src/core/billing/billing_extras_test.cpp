// Domain renewals from the wallet, credit notes, the card-country and disposable-e-mail fraud
// rules, and the auto top-up (issue 6), on SQLite and PostgreSQL with a manual clock
// (2025-12-01T00:00:00Z, from MailDbTest) and the sandbox provider.
#include <gtest/gtest.h>

#include "core/billing/billing_options.h"
#include "core/billing/billing_service.h"
#include "core/billing/billing_test_util.h"
#include "core/billing/domain_charges.h"
#include "core/billing/fraud.h"
#include "core/billing/invoices.h"

namespace mailjuke::core::billing {
namespace {

TEST(FraudHelpers, CardCountryOfSandboxTokens) {
  EXPECT_EQ(cardCountry("tok_visa"), "US");
  EXPECT_EQ(cardCountry("tok_de"), "DE");
  EXPECT_EQ(cardCountry("tok_gb"), "GB");
  EXPECT_EQ(cardCountry("tok_us"), "US");
  EXPECT_EQ(cardCountry("pm_1234"), std::nullopt);
  EXPECT_TRUE(isCountryCardToken("tok_fr"));
  EXPECT_FALSE(isCountryCardToken("tok_FR"));
  EXPECT_FALSE(isCountryCardToken("tok_fraud"));
}

TEST(FraudHelpers, DisposableDomainsIncludingSubdomainsAndConfig) {
  EXPECT_TRUE(isDisposableEmailDomain("someone@mailinator.com"));
  EXPECT_TRUE(isDisposableEmailDomain("x@Sub.YOPMAIL.com"));
  EXPECT_TRUE(isDisposableEmailDomain("trashmail.com."));
  EXPECT_FALSE(isDisposableEmailDomain("ceo@example.com"));
  EXPECT_FALSE(isDisposableEmailDomain("a@notmailinator.com"));
  EXPECT_FALSE(isDisposableEmailDomain("com"));
  billingOptions().disposable_email_domains = {"burner.example"};
  EXPECT_TRUE(isDisposableEmailDomain("a@burner.example"));
  billingOptions().disposable_email_domains.clear();
  EXPECT_FALSE(isDisposableEmailDomain("a@burner.example"));
}

class BillingExtrasTest : public BillingDbTest {
 protected:
  void SetUp() override {
    BillingDbTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ctx_->settings.billing.domain_prices["com"] = 1200;
  }

  int64_t balance() {
    return count("SELECT balance FROM ledger_accounts WHERE id = ?",
                 {walletAccountId("ws_1", "USD")});
  }
  int64_t outboxCount(const std::string& kind) {
    return count("SELECT COUNT(*) FROM outbox WHERE kind = ?", {kind});
  }
  TopUpResult topUp(int64_t amount, const std::string& pm = "tok_visa") {
    auto r = service_->topUp(owner_, "ws_1", amount, pm);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : TopUpResult{};
  }
  void addPurchasedDomain(const std::string& id, const std::string& name, int64_t expires) {
    auto st = db_->run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
      MJ_TRY(
          tx.exec("INSERT INTO domains (id, workspace_id, name, unicode_name, source, status, "
                  "verification_token, zone_serial, expires_at, price_amount, "
                  "price_currency, created_at, updated_at) VALUES (?, 'ws_1', ?, ?, "
                  "'purchase', 'active', 't', 1, ?, 1200, 'usd', 1, 1)",
                  {id, name, name, expires}));
      return {};
    });
    ASSERT_TRUE(st.ok()) << st.error().message;
  }
};

TEST_P(BillingExtrasTest, DomainPurchaseChargeIsRefusedWithoutMoneyAndInvoicedWithIt) {
  auto charge = [&]() {
    return db_->write<ChargedInvoice>([&](store::Tx& tx) {
      return chargeDomain(tx, *ctx_, "ws_1",
                          {"dom_x", "shop.com", 1200, 1, "domain_purchase", 0, 365 * 86400},
                          clock_.nowSeconds());
    });
  };
  auto refused = charge();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kPaymentRequired);
  EXPECT_NE(refused.error().message.find("costs 1200"), std::string::npos);
  EXPECT_NE(refused.error().message.find("/wallet/top-ups"), std::string::npos);
  EXPECT_EQ(refused.error().fields.at(0).field, "wallet");
  EXPECT_EQ(count("SELECT COUNT(*) FROM invoices"), 0);  // rolled back with the number
  topUp(2000);
  auto paid = charge();
  ASSERT_TRUE(paid.ok()) << paid.error().message;
  EXPECT_EQ(paid->number, "MJ-2025-000001");  // the refused attempt used no number
  EXPECT_EQ(balance(), 800);
  EXPECT_EQ(count("SELECT COUNT(*) FROM invoices WHERE status = 'paid' AND paid_with = 'wallet' "
                  "AND reason = 'domain_purchase'"),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM ledger_transactions WHERE memo LIKE 'domain shop.com%'"),
            1);
}

TEST_P(BillingExtrasTest, DomainsRenewFromTheWalletAtExpiryOnce) {
  int64_t now = clock_.nowSeconds();
  addPurchasedDomain("dom_a", "renew-me.com", now + 86400);
  topUp(1500);
  ASSERT_TRUE(service_->runRenewals().ok());
  EXPECT_EQ(balance(), 1500);  // not due yet
  clock_.advanceSeconds(2 * 86400);
  auto r = service_->runRenewals();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->domains_renewed, 1);
  EXPECT_EQ(balance(), 300);
  EXPECT_EQ(count("SELECT expires_at FROM domains WHERE id = 'dom_a'"), now + 86400 + 365 * 86400);
  EXPECT_EQ(count("SELECT COUNT(*) FROM invoices WHERE reason = 'domain_renewal' AND status = "
                  "'paid'"),
            1);
  EXPECT_EQ(outboxCount("domain_renewed"), 1);
  r = service_->runRenewals();
  EXPECT_EQ(r->domains_renewed, 0);
  EXPECT_EQ(balance(), 300);
}

TEST_P(BillingExtrasTest, DomainRenewalWithoutMoneyTurnsAutorenewOffAndTellsTheOwner) {
  addPurchasedDomain("dom_b", "broke.com", clock_.nowSeconds() - 10);
  topUp(1000);
  auto r = service_->runRenewals();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->domains_failed, 1);
  EXPECT_EQ(balance(), 1000);
  EXPECT_EQ(count("SELECT autorenew FROM domains WHERE id = 'dom_b'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM invoices"), 0);
  EXPECT_EQ(outboxCount("domain_renewal_failed"), 1);
  r = service_->runRenewals();
  EXPECT_EQ(r->domains_failed, 0);
  EXPECT_EQ(outboxCount("domain_renewal_failed"), 1);
}

// Notices 30 and 7 days before a purchased domain's expiry, once each, with the price and
// whether the wallet covers it; a renewal starts the next year's notices over.
TEST_P(BillingExtrasTest, DomainRenewalNoticesThirtyAndSevenDaysBeforeOnceEach) {
  constexpr int64_t kDay = 86400;
  int64_t expires = clock_.nowSeconds() + 40 * kDay;
  addPurchasedDomain("dom_n", "notice-me.com", expires);
  addPurchasedDomain("dom_o", "off.com", expires);
  ASSERT_TRUE(db_->run(store::TxMode::kWrite,
                       [&](store::Tx& tx) -> Status {
                         MJ_TRY(tx.exec("UPDATE domains SET autorenew = 0 WHERE id = 'dom_o'"));
                         return {};
                       })
                  .ok());
  auto text = [&](const std::string& like) {
    return count(
        "SELECT COUNT(*) FROM outbox WHERE kind = 'domain_renewal_notice' AND body_text LIKE ?",
        {like});
  };
  auto run = [&]() {
    auto r = service_->runRenewals();
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? r->domain_notices : -1;
  };
  EXPECT_EQ(run(), 0);                    // 40 days out
  clock_.advanceSeconds(10 * kDay + 60);  // 30 days minus a minute
  EXPECT_EQ(run(), 2);
  EXPECT_EQ(outboxCount("domain_renewal_notice"), 2);
  EXPECT_EQ(text("%notice-me.com renews automatically%1200 USD%not enough. Top up at least 1200%"),
            1);
  EXPECT_EQ(text("%off.com expires on%automatic renewal is off%"), 1);
  EXPECT_EQ(run(), 0);
  clock_.advanceSeconds(10 * kDay);
  EXPECT_EQ(run(), 0);  // 20 days out: nothing new
  topUp(1500);
  clock_.advanceSeconds(13 * kDay + 60);  // 7 days minus 2 minutes
  EXPECT_EQ(run(), 2);
  EXPECT_EQ(text("%notice-me.com renews automatically%holds 1500 USD%enough, nothing to do.%"), 1);
  EXPECT_EQ(run(), 0);
  EXPECT_EQ(outboxCount("domain_renewal_notice"), 4);
  clock_.advanceSeconds(8 * kDay);  // expired: renewed (a year more), then no notice for a while
  auto r = service_->runRenewals();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->domains_renewed, 1);
  EXPECT_EQ(r->domain_notices, 0);
  clock_.advanceSeconds(340 * kDay);  // 24 days before the new expiry
  EXPECT_EQ(run(), 1);                // only the renewed domain; off.com has expired
  EXPECT_EQ(outboxCount("domain_renewal_notice"), 5);
}

// A registrar that records renewals and refuses names containing "refuse".
class RecordingRegistrar final : public Registrar {
 public:
  std::string name() const override { return "recording"; }
  Result<Availability> check(const std::string&) override { return Availability{true, "", {}}; }
  Result<int64_t> registerName(const std::string&, int years, int64_t now) override {
    return now + years * 365 * 86400;
  }
  Result<int64_t> renew(const std::string& name, int years, int64_t expiry) override {
    renewed.push_back(name);
    if (name.find("refuse") != std::string::npos)
      return Error::make(ErrorCode::kConflict, "transfer lock");
    return expiry + years * 365 * 86400;
  }
  std::vector<std::string> renewed;
};

TEST_P(BillingExtrasTest, DomainRenewalsGoThroughTheRegistrarAndARefusalChargesNothing) {
  RecordingRegistrar registrar;
  service_->setRegistrar(&registrar);
  int64_t now = clock_.nowSeconds();
  addPurchasedDomain("dom_r", "renew-me.com", now - 10);
  addPurchasedDomain("dom_s", "refuse-me.com", now - 10);
  topUp(3000);
  auto r = service_->runRenewals();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(registrar.renewed, (std::vector<std::string>{"renew-me.com", "refuse-me.com"}));
  EXPECT_EQ(r->domains_renewed, 1);
  EXPECT_EQ(r->domains_failed, 1);
  EXPECT_EQ(balance(), 1800);  // only the renewed one is charged
  EXPECT_EQ(count("SELECT COUNT(*) FROM invoices WHERE reason = 'domain_renewal'"), 1);
  EXPECT_EQ(count("SELECT expires_at FROM domains WHERE id = 'dom_s'"), now - 10);
  EXPECT_EQ(count("SELECT autorenew FROM domains WHERE id = 'dom_s'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbox WHERE kind = 'domain_renewal_failed' AND "
                  "body_text LIKE '%registrar refused%'"),
            1);
  auto sandbox = makeSandboxRegistrar({{"com", 1200}});
  auto until = sandbox->renew("renew-me.com", 1, now);
  ASSERT_TRUE(until.ok());
  EXPECT_EQ(*until, now + 365 * 86400);
  EXPECT_FALSE(sandbox->renew("renew-me.zz", 1, now).ok());
}

TEST_P(BillingExtrasTest, CreditNotesOfAPaidInvoiceGoToTheWalletWithinTheTotal) {
  auto sub = service_->changeSubscription(owner_, "ws_1", {"starter", {}, "tok_visa", false});
  ASSERT_TRUE(sub.ok()) << sub.error().message;
  std::string inv = (*sub)["invoice"]["id"];
  EXPECT_EQ(balance(), 0);
  auto first = service_->issueCreditNote(owner_, "ws_1", inv, {1000, {}, "goodwill"});
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ((*first)["number"], "MJCN-2025-000001");
  EXPECT_EQ((*first)["settlement"], "wallet");
  EXPECT_EQ((*first)["invoice_remaining_creditable"]["amount"], 2900);
  EXPECT_EQ(balance(), 1000);
  auto over = service_->issueCreditNote(owner_, "ws_1", inv, {3000, {}, "too much"});
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(over.error().fields.at(0).field, "amount");
  auto lines = service_->issueCreditNote(
      owner_, "ws_1", inv, {std::nullopt, {{"Outage 1", 900}, {"Outage 2", 2000}}, "outages"});
  ASSERT_TRUE(lines.ok()) << lines.error().message;
  EXPECT_EQ((*lines)["number"], "MJCN-2025-000002");
  EXPECT_EQ((*lines)["total"]["amount"], 2900);
  EXPECT_EQ((*lines)["lines"].size(), 2u);
  EXPECT_EQ(balance(), 3900);
  auto none = service_->issueCreditNote(owner_, "ws_1", inv, {std::nullopt, {}, "again"});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kConflict);
  EXPECT_TRUE(Ledger(*ctx_).checkInvariants().ok());
  // Issued credit notes never change (triggers, 0011).
  EXPECT_FALSE(db_->run(store::TxMode::kWrite,
                        [](store::Tx& tx) -> Status {
                          MJ_TRY(tx.exec("UPDATE credit_notes SET total = 1"));
                          return {};
                        })
                   .ok());
  EXPECT_FALSE(db_->run(store::TxMode::kWrite,
                        [](store::Tx& tx) -> Status {
                          MJ_TRY(tx.exec("DELETE FROM credit_note_lines"));
                          return {};
                        })
                   .ok());
  auto inv_json = service_->invoice(owner_, "ws_1", inv);
  ASSERT_TRUE(inv_json.ok());
  EXPECT_EQ((*inv_json)["amount_credited"]["amount"], 3900);
  EXPECT_EQ((*inv_json)["credit_notes"].size(), 2u);
}

TEST_P(BillingExtrasTest, CreditNotesOfAnOpenInvoiceReduceWhatIsDueAndVoidItWhenWhole) {
  auto inv = db_->write<std::string>([&](store::Tx& tx) -> Result<std::string> {
    DraftInvoice d{"ws_1", std::nullopt, "domain_purchase", "USD", std::nullopt, std::nullopt, {}};
    d.lines.push_back({"Something", 2, 1500, false, std::nullopt, std::nullopt});
    MJ_TRY_ASSIGN(std::string id, createDraft(tx, d, clock_.nowSeconds()));
    MJ_TRY(finalise(tx, ctx_->settings.billing, id, clock_.nowSeconds()));
    return id;
  });
  ASSERT_TRUE(inv.ok()) << inv.error().message;
  auto part = service_->issueCreditNote(owner_, "ws_1", *inv, {1000, {}, "discount"});
  ASSERT_TRUE(part.ok()) << part.error().message;
  EXPECT_EQ((*part)["settlement"], "amount_due");
  EXPECT_EQ(balance(), 0);  // nothing was paid, nothing goes to the wallet
  auto j = service_->invoice(owner_, "ws_1", *inv);
  EXPECT_EQ((*j)["status"], "open");
  EXPECT_EQ((*j)["amount_due"]["amount"], 2000);
  auto rest = service_->issueCreditNote(owner_, "ws_1", *inv, {std::nullopt, {}, "cancelled"});
  ASSERT_TRUE(rest.ok()) << rest.error().message;
  EXPECT_EQ((*rest)["total"]["amount"], 2000);
  j = service_->invoice(owner_, "ws_1", *inv);
  EXPECT_EQ((*j)["status"], "void");
  EXPECT_EQ((*j)["amount_due"]["amount"], 0);
  auto closed = service_->issueCreditNote(owner_, "ws_1", *inv, {1, {}, "late"});
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().code, ErrorCode::kConflict);
}

TEST_P(BillingExtrasTest, FraudRulesCardCountryAndDisposableEmail) {
  auto st = service_->setBillingDetails(owner_, "ws_1", {"Acme GmbH", "Berlin", "DE", "", ""});
  ASSERT_TRUE(st.ok()) << st.error().message;
  auto held = topUp(1000, "tok_gb");
  EXPECT_EQ(held.status, 202);
  EXPECT_EQ(held.body["fraud_review"]["rules"], Json::array({"card_country_mismatch"}));
  auto ok = topUp(1000, "tok_de");
  EXPECT_EQ(ok.status, 201);
  EXPECT_EQ(balance(), 1000);
  st = service_->setBillingDetails(owner_, "ws_1",
                                   {"Acme GmbH", "Berlin", "DE", "", "pay@mailinator.com"});
  ASSERT_TRUE(st.ok());
  auto disposable = topUp(1000, "tok_de");
  EXPECT_EQ(disposable.status, 202);
  EXPECT_EQ(disposable.body["fraud_review"]["rules"], Json::array({"disposable_email"}));
  EXPECT_EQ(balance(), 1000);
}

TEST_P(BillingExtrasTest, AutoTopUpOncePerTriggerAndOffAfterThreeFailures) {
  topUp(5000);
  auto set = service_->setAutoTopUp(owner_, "ws_1", {true, 2000, 3000, "tok_visa"});
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ((*set)["enabled"], true);
  ASSERT_TRUE(service_->runAutoTopUps().ok());
  EXPECT_EQ(balance(), 5000);  // above the threshold: nothing
  // A charge (the subscription from the wallet) leaves 1100 < 2000: one top-up of 3000.
  auto sub = service_->changeSubscription(owner_, "ws_1", {"starter", {}, std::nullopt, false});
  ASSERT_TRUE(sub.ok()) << sub.error().message;
  EXPECT_EQ(balance(), 1100);
  auto n = service_->runAutoTopUps();
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(balance(), 4100);
  EXPECT_EQ(*service_->runAutoTopUps(), 0);  // once per trigger
  // A declining card: three failed triggers switch it off, each e-mailed.
  AutoTopUpInput declining{true, 5000, 1000, "tok_chargeDeclined"};
  ASSERT_TRUE(service_->setAutoTopUp(owner_, "ws_1", declining).ok());
  for (int i = 0; i < 3; ++i) {
    auto charged = db_->write<ChargedInvoice>([&](store::Tx& tx) {
      return chargeDomain(tx, *ctx_, "ws_1",
                          {"dom_" + std::to_string(i), "d" + std::to_string(i) + ".com", 100, 1,
                           "domain_purchase", 0, 1},
                          clock_.nowSeconds());
    });
    ASSERT_TRUE(charged.ok()) << charged.error().message;
    EXPECT_EQ(*service_->runAutoTopUps(), 1);
  }
  EXPECT_EQ(outboxCount("billing_auto_top_up_failed"), 2);
  EXPECT_EQ(outboxCount("billing_auto_top_up_disabled"), 1);
  auto wallet = service_->wallet(owner_, "ws_1", std::nullopt, 10);
  ASSERT_TRUE(wallet.ok());
  EXPECT_EQ(wallet->at("auto_top_up")["enabled"], false);
  EXPECT_EQ(wallet->at("auto_top_up")["consecutive_failures"], 3);
  EXPECT_EQ(balance(), 3800);
}

INSTANTIATE_TEST_SUITE_P(Engines, BillingExtrasTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace mailjuke::core::billing
