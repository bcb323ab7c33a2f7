#include "core/domains/zone_records.h"

#include <gtest/gtest.h>

#include "proto/dns/zone_set.h"

namespace mailjuke::core {
namespace {

const dns::RecordText* find(const std::vector<ZoneRecord>& recs, const std::string& id) {
  for (const auto& r : recs)
    if (r.id == id) return &r.text;
  return nullptr;
}

TEST(ZoneRecords, ManagedRecordsFormAValidZone) {
  DnsSettings s;
  DomainZoneData d{"example.com", 2026120100, "quarantine", false, {{"mj1", "MIIBIjANBgkq"}}};
  auto recs = managedRecords(s, d);
  ASSERT_TRUE(find(recs, "managed:soa"));
  EXPECT_EQ(find(recs, "managed:soa")->rdata,
            "ns1.mailjuke.test. hostmaster.mailjuke.test. 2026120100 3600 600 1209600 300");
  EXPECT_EQ(find(recs, "managed:mx")->rdata, "10 mail.mailjuke.test.");
  EXPECT_EQ(find(recs, "managed:spf")->rdata, "v=spf1 a:mail.mailjuke.test ~all");
  EXPECT_EQ(find(recs, "managed:dkim:mj1")->owner, "mj1._domainkey");
  EXPECT_EQ(find(recs, "managed:dmarc")->rdata,
            "v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@mailjuke.test");
  EXPECT_EQ(find(recs, "managed:tracking")->type, "CNAME");
  EXPECT_FALSE(find(recs, "managed:forward_a"));

  d.forwarding = true;
  s.spf_include = "spf.mailjuke.test";
  recs = managedRecords(s, d);
  EXPECT_EQ(find(recs, "managed:forward_www_a")->rdata, "127.0.0.1");
  EXPECT_EQ(find(recs, "managed:spf")->rdata, "v=spf1 include:spf.mailjuke.test ~all");

  std::vector<dns::RecordText> texts;
  for (const auto& r : recs) texts.push_back(r.text);
  auto zone = dns::buildZone("example.com", texts);
  ASSERT_TRUE(zone.ok()) << zone.error().message;
  EXPECT_TRUE(dns::validateZone(*zone).ok());
}

}  // namespace
}  // namespace mailjuke::core
