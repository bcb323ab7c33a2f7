#include <gtest/gtest.h>

#include "core/billing/invoice_render.h"
#include "core/billing/plans.h"
#include "core/billing/stripe_signature.h"
#include "core/billing/vat.h"

namespace mailjuke::core::billing {
namespace {

TEST(StripeSignature, AcceptsAValidSignatureAndRejectsTampering) {
  const std::string secret = "whsec_test_secret", body = R"({"id":"evt_1","type":"x"})";
  const int64_t t = 1764547200;
  std::string header = "t=" + std::to_string(t) + ",v1=" + stripeSignatureV1(secret, t, body);
  EXPECT_TRUE(verifyStripeSignature(header, body, secret, t + 10).ok());
  // Tampered body, wrong secret, stale and future timestamps.
  EXPECT_EQ(verifyStripeSignature(header, body + " ", secret, t).error().code,
            ErrorCode::kUnauthenticated);
  EXPECT_FALSE(verifyStripeSignature(header, body, "whsec_other", t).ok());
  EXPECT_FALSE(verifyStripeSignature(header, body, secret, t + 301).ok());
  EXPECT_TRUE(verifyStripeSignature(header, body, secret, t + 300).ok());
  EXPECT_FALSE(verifyStripeSignature(header, body, secret, t - 301).ok());
  // Any v1 may match (secret rotation); v0 and unknown schemes are ignored.
  std::string multi = "t=" + std::to_string(t) + ",v1=" + std::string(64, 'a') +
                      ",v0=abc,v1=" + stripeSignatureV1(secret, t, body);
  EXPECT_TRUE(verifyStripeSignature(multi, body, secret, t).ok());
  std::string none = "t=" + std::to_string(t) + ",v1=" + std::string(64, 'a');
  EXPECT_FALSE(verifyStripeSignature(none, body, secret, t).ok());
  // The signed payload is "{t}.{body}": the same digest under another t does not verify.
  std::string moved = "t=" + std::to_string(t + 1) + ",v1=" + stripeSignatureV1(secret, t, body);
  EXPECT_FALSE(verifyStripeSignature(moved, body, secret, t).ok());
}

TEST(StripeSignature, ParsesStrictly) {
  EXPECT_FALSE(parseStripeSignature("").ok());
  EXPECT_FALSE(parseStripeSignature("v1=" + std::string(64, 'a')).ok());
  EXPECT_FALSE(parseStripeSignature("t=12").ok());
  EXPECT_FALSE(parseStripeSignature("t=-1,v1=" + std::string(64, 'a')).ok());
  EXPECT_FALSE(parseStripeSignature("t=1x,v1=" + std::string(64, 'a')).ok());
  auto h = parseStripeSignature(" t=5 , v1=" + std::string(64, 'A'));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->timestamp, 5);
  EXPECT_EQ(h->v1.front(), std::string(64, 'a'));
}

TEST(Vat, ReverseChargeOnlyForAValidLookingIdInAnotherEuCountry) {
  EXPECT_TRUE(looksLikeEuVatId("DE123456789"));
  EXPECT_TRUE(looksLikeEuVatId("fr 12 345678901"));
  EXPECT_TRUE(looksLikeEuVatId("EL123456789"));
  EXPECT_FALSE(looksLikeEuVatId("US123456789"));
  EXPECT_FALSE(looksLikeEuVatId("DE"));
  EXPECT_FALSE(looksLikeEuVatId("DEABCDEFG"));
  EXPECT_TRUE(reverseCharge("DE", "FR", "FR12345678901"));
  EXPECT_FALSE(reverseCharge("DE", "DE", "DE123456789"));     // domestic: VAT charged
  EXPECT_FALSE(reverseCharge("DE", "FR", ""));                // no VAT ID: a consumer
  EXPECT_FALSE(reverseCharge("DE", "FR", "NL123456789B01"));  // the ID of another country
  EXPECT_FALSE(reverseCharge("DE", "US", "DE123456789"));
  EXPECT_TRUE(reverseCharge("DE", "GR", "EL123456789"));
}

TEST(Plans, DefaultsAndParsing) {
  BillingSettings s;
  ASSERT_EQ(s.plans.size(), 3u);
  EXPECT_EQ(findPlan(s, "starter")->monthly_price, 3900);
  EXPECT_EQ(findPlan(s, "growth")->yearly_price, 99000);
  EXPECT_EQ(findPlan(s, "pro")->mailboxes, 100);
  auto p = parsePlan("team:Team:50:14900:2048");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->yearly_price, 149000);
  EXPECT_EQ(p->storage_bytes_per_mailbox, int64_t(2048) * 1024 * 1024);
  EXPECT_EQ(parsePlan("team:Team:50:14900:2048:120000")->yearly_price, 120000);
  for (const char* bad : {"", "x", "Team:T:1:1:1", "t:T:0:1:1", "t:T:1:-1:1", "t:T:1:1", "t::1:1:1",
                          "t:T:1:1:1:1:1", "t:T:1:1.5:1"})
    EXPECT_FALSE(parsePlan(bad).ok()) << bad;
  Json c = catalogJson(s);
  EXPECT_EQ(c["data"][0]["prices"]["month"]["amount"], 3900);
  EXPECT_EQ(c["data"][0]["prices"]["month"]["currency"], "usd");
}

TEST(InvoiceRender, MoneyAndDocuments) {
  EXPECT_EQ(formatMoney(123456, "usd"), "$1,234.56");
  EXPECT_EQ(formatMoney(-1950, "usd"), "-$19.50");
  EXPECT_EQ(formatMoney(5, "eur"), "EUR 0.05");
  EXPECT_EQ(formatMoney(1000, "jpy"), "JPY 1,000");
  Json inv = {{"number", "MJ-2026-000007"},
              {"status", "paid"},
              {"created_at", "2026-01-01T00:00:00Z"},
              {"finalized_at", "2026-01-01T00:00:00Z"},
              {"paid_at", "2026-01-01T00:00:00Z"},
              {"seller", {{"name", "MailJuke"}, {"country", "DE"}}},
              {"buyer", {{"name", "Acme <b>"}, {"country", "FR"}, {"vat_id", "FR12345678901"}}},
              {"lines", Json::array({{{"description", "Starter plan (monthly)"},
                                      {"quantity", 1},
                                      {"unit_amount", {{"amount", 3900}, {"currency", "usd"}}},
                                      {"amount", {{"amount", 3900}, {"currency", "usd"}}},
                                      {"period_start", "2026-01-01T00:00:00Z"},
                                      {"period_end", "2026-02-01T00:00:00Z"}}})},
              {"total", {{"amount", 3900}, {"currency", "usd"}}},
              {"reverse_charge_note", "Reverse charge"}};
  std::string html = renderInvoiceHtml(inv);
  EXPECT_NE(html.find("MJ-2026-000007"), std::string::npos);
  EXPECT_NE(html.find("Acme &lt;b&gt;"), std::string::npos);
  EXPECT_NE(html.find("$39.00"), std::string::npos);
  auto pdf = renderInvoicePdf(inv);
  ASSERT_TRUE(pdf.ok()) << pdf.error().message;
  EXPECT_EQ(pdf->rfind("%PDF-", 0), 0u);
  EXPECT_GT(pdf->size(), 500u);
}

}  // namespace
}  // namespace mailjuke::core::billing
