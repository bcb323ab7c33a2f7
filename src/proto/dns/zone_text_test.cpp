#include "proto/dns/zone_text.h"

#include <gtest/gtest.h>

#include "proto/dns/rdata.h"
#include "proto/dns/test_util.h"
#include "proto/dns/zone_set.h"

namespace mailjuke::dns {
namespace {

TEST(DnsZoneText, ParsesDirectivesParenthesesAndComments) {
  auto zone = parseZoneText(testing::kExampleZone);
  ASSERT_TRUE(zone.ok()) << zone.error().message;
  EXPECT_EQ(zone->origin.toString(), "example.com.");
  ASSERT_NE(zone->soa(), nullptr);
  EXPECT_EQ(zone->serial(), 2024010101u);
  // The blank owner after ns2 continues ns2.
  int aaaa = 0;
  for (const auto& r : zone->records)
    if (r.type == RrType::kAaaa && r.owner == *Name::parse("ns2.example.com.")) ++aaaa;
  EXPECT_EQ(aaaa, 1);
  for (const auto& r : zone->records)
    if (r.owner == *Name::parse("www.example.com.")) {
      EXPECT_EQ(r.ttl, 300u);
    }
}

TEST(DnsZoneText, TtlAndClassInEitherOrderAndOriginChanges) {
  auto zone = parseZoneText(R"($TTL 1h
$ORIGIN a.test.
@ SOA ns hm 1 1 1 1 1
x IN 60 A 192.0.2.1
y 120 IN A 192.0.2.2
$ORIGIN sub.a.test.
z A 192.0.2.3 ; comment with "quotes" and (parens)
t TXT "semi;colon" "paren(" unquoted\ space
)");
  ASSERT_TRUE(zone.ok()) << zone.error().message;
  ASSERT_EQ(zone->records.size(), 5u);
  EXPECT_EQ(zone->records[0].ttl, 3600u);
  EXPECT_EQ(zone->records[1].ttl, 60u);
  EXPECT_EQ(zone->records[2].ttl, 120u);
  EXPECT_EQ(zone->records[3].owner.toString(), "z.sub.a.test.");
  EXPECT_EQ(rdataToText(RrType::kTxt, zone->records[4].rdata),
            "\"semi;colon\" \"paren(\" \"unquoted space\"");
}

TEST(DnsZoneText, Errors) {
  EXPECT_FALSE(parseZoneText("$INCLUDE /etc/passwd\n").ok());
  EXPECT_FALSE(parseZoneText("a.test. 60 IN A ( 192.0.2.1\n").ok());
  EXPECT_FALSE(parseZoneText("a.test. 60 IN BOGUS x\n").ok());
  EXPECT_FALSE(parseZoneText(" 60 IN A 192.0.2.1\n").ok());  // no previous owner
  auto e = parseZoneText("a.test. 60 IN A 192.0.2.1\nb.test. 60 IN A 300.0.0.1\n");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("line 2"), std::string::npos);
}

TEST(DnsZoneText, ExportRoundTrips) {
  auto zone = *parseZoneText(testing::kExampleZone);
  ASSERT_TRUE(validateZone(zone).ok());
  std::string text = zoneToText(zone);
  auto again = parseZoneText(text);
  ASSERT_TRUE(again.ok()) << again.error().message << "\n" << text;
  ASSERT_TRUE(validateZone(*again).ok());
  EXPECT_EQ(again->origin, zone.origin);
  ASSERT_EQ(again->records.size(), zone.records.size());
  for (const auto& r : zone.records) {
    bool found = false;
    for (const auto& s : again->records) found |= (r == s && r.ttl == s.ttl);
    EXPECT_TRUE(found) << r.owner.toString() << " " << typeToString(r.type);
  }
  EXPECT_EQ(zoneToText(*again), text);
}

TEST(DnsZone, ValidationRules) {
  auto check = [](const std::string& text) {
    auto z = parseZoneText(text);
    EXPECT_TRUE(z.ok());
    return validateZone(*z);
  };
  const std::string soa = "t. 60 IN SOA ns.t. hm.t. 1 1 1 1 1\n";
  EXPECT_TRUE(check(soa + "a.t. 60 IN A 192.0.2.1\n").ok());
  EXPECT_FALSE(check("a.t. 60 IN A 192.0.2.1\n").ok());  // no SOA
  EXPECT_FALSE(check(soa + soa.substr(0, 2) + "  60 IN SOA x.t. y.t. 2 1 1 1 1\n").ok());
  EXPECT_FALSE(check(soa + "t. 60 IN CNAME x.\n").ok());  // CNAME at apex
  EXPECT_FALSE(check(soa + "a.t. 60 IN CNAME x.\na.t. 60 IN A 192.0.2.1\n").ok());
  EXPECT_FALSE(check(soa + "a.other. 60 IN A 192.0.2.1\n").ok());  // out of zone
  auto z = *parseZoneText(
      soa + "a.t. 60 IN A 192.0.2.1\na.t. 30 IN A 192.0.2.2\na.t. 90 IN A 192.0.2.1\n");
  ASSERT_TRUE(validateZone(z).ok());
  ASSERT_EQ(z.records.size(), 3u);   // duplicate dropped (RFC 2181 §5)
  EXPECT_EQ(z.records[1].ttl, 30u);  // one TTL per RRset (RFC 2181 §5.2)
  EXPECT_EQ(z.records[2].ttl, 30u);
}

TEST(DnsZone, BuildFromApiRecords) {
  std::vector<RecordText> records = {
      {"@", "SOA", 3600, "ns1 hostmaster 7 7200 3600 1209600 300"},
      {"@", "NS", 3600, "ns1.platform.test."},
      {"@", "MX", 3600, "10 mx.platform.test."},
      {"@", "TXT", 3600, "v=spf1 include:_spf.platform.test ~all"},
      {"mj._domainkey", "TXT", 3600, "v=DKIM1; k=rsa; p=" + std::string(380, 'A')},
      {"track", "cname", 300, "t.platform.test."},
  };
  auto zone = buildZone("customer.test", records);
  ASSERT_TRUE(zone.ok()) << zone.error().message;
  EXPECT_EQ(zone->serial(), 7u);
  records.push_back({"bad", "A", 60, "not-an-ip"});
  auto bad = buildZone("customer.test", records);
  ASSERT_FALSE(bad.ok());
  ASSERT_EQ(bad.error().fields.size(), 1u);
  EXPECT_EQ(bad.error().fields[0].field, "records[6].rdata");
  auto set =
      ZoneSet::fromRecords({ZoneInput{"customer.test", {records.begin(), records.end() - 1}}});
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ((*set)->zones().size(), 1u);
  auto dup =
      ZoneSet::fromRecords({ZoneInput{"customer.test", {records.begin(), records.end() - 1}},
                            ZoneInput{"CUSTOMER.test.", {records.begin(), records.end() - 1}}});
  EXPECT_FALSE(dup.ok());
  // With a rejection list, the good zones are served and the bad ones reported.
  std::vector<Error> rejected;
  auto partial =
      ZoneSet::fromRecords({ZoneInput{"customer.test", {records.begin(), records.end() - 1}},
                            ZoneInput{"bad.test", records},
                            ZoneInput{"customer.test", {records.begin(), records.end() - 1}}},
                           &rejected);
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ((*partial)->zones().size(), 1u);
  ASSERT_EQ(rejected.size(), 2u);
  EXPECT_NE(rejected[0].message.find("bad.test"), std::string::npos);
}

}  // namespace
}  // namespace mailjuke::dns
