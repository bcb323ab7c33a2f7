#include <gtest/gtest.h>

#include "core/mailauth/fake_resolver.h"
#include "core/mailauth/spf_dmarc.h"
#include "core/mailauth/spf_macro.h"
#include "core/mailauth/spf_record.h"

namespace mailjuke::core::mailauth {
namespace {

class SpfTest : public ::testing::Test {
 protected:
  void spf(const std::string& domain, const std::string& record) {
    dns_.txt_records[domain].push_back(record);
  }
  SpfVerdict check(const std::string& ip, const std::string& from = "alice@example.com",
                   const std::string& helo = "mail.example.org") {
    return checkSpf(ip, helo, from, dns_);
  }
  std::string result(const std::string& ip, const std::string& from = "alice@example.com") {
    return check(ip, from).result;
  }
  testing::FakeResolver dns_;
};

TEST_F(SpfTest, NoRecordIsNoneAndOtherTxtIsIgnored) {
  EXPECT_EQ(result("192.0.2.1"), "none");
  dns_.txt_records["example.com"] = {"google-site-verification=abc", "v=spf10 -all"};
  auto v = check("192.0.2.1");
  EXPECT_EQ(v.result, "none");
  EXPECT_EQ(v.domain, "example.com");
}

TEST_F(SpfTest, TwoRecordsArePermerror) {
  spf("example.com", "v=spf1 -all");
  spf("example.com", "v=spf1 +all");
  EXPECT_EQ(result("192.0.2.1"), "permerror");
}

TEST_F(SpfTest, QualifiersAndAll) {
  for (auto [record, expected] :
       std::vector<std::pair<std::string, std::string>>{{"v=spf1 all", "pass"},
                                                        {"v=spf1 +all", "pass"},
                                                        {"v=spf1 -all", "fail"},
                                                        {"v=spf1 ~all", "softfail"},
                                                        {"v=spf1 ?all", "neutral"},
                                                        {"v=spf1", "neutral"},  // §4.7 default
                                                        {"V=SPF1 -ALL", "fail"}}) {
    dns_.txt_records["example.com"] = {record};
    EXPECT_EQ(result("192.0.2.1"), expected) << record;
  }
}

TEST_F(SpfTest, Ip4WithCidr) {
  spf("example.com", "v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.7 -all");
  EXPECT_EQ(result("192.0.2.200"), "pass");
  EXPECT_EQ(result("198.51.100.7"), "pass");
  EXPECT_EQ(result("198.51.100.8"), "fail");
  EXPECT_EQ(result("2001:db8::1"), "fail");       // ip4 never matches IPv6 clients
  EXPECT_EQ(result("::ffff:192.0.2.9"), "pass");  // IPv4-mapped is IPv4 (§5)
  EXPECT_EQ(check("192.0.2.200").reason, "matched ip4:192.0.2.0/24");
}

TEST_F(SpfTest, Ip6WithCidr) {
  spf("example.com", "v=spf1 ip6:2001:db8::/32 ip6:2001:db9::1 -all");
  EXPECT_EQ(result("2001:db8:ffff::1"), "pass");
  EXPECT_EQ(result("2001:db9::1"), "pass");
  EXPECT_EQ(result("2001:db9::2"), "fail");
  EXPECT_EQ(result("192.0.2.1"), "fail");
}

TEST_F(SpfTest, AMechanismWithDualCidr) {
  spf("example.com", "v=spf1 a a:other.example.net/24//64 -all");
  dns_.a_records["example.com"] = {"192.0.2.10"};
  dns_.a_records["other.example.net"] = {"198.51.100.1"};
  dns_.aaaa_records["other.example.net"] = {"2001:db8:1:2::1"};
  EXPECT_EQ(result("192.0.2.10"), "pass");
  EXPECT_EQ(result("192.0.2.11"), "fail");
  EXPECT_EQ(result("198.51.100.200"), "pass");
  EXPECT_EQ(result("2001:db8:1:2:ffff::9"), "pass");
  EXPECT_EQ(result("2001:db8:1:3::1"), "fail");
}

TEST_F(SpfTest, MxMechanism) {
  spf("example.com", "v=spf1 mx/28 -all");
  dns_.mx_records["example.com"] = {{10, "mx1.example.com"}, {20, "mx2.example.com"}};
  dns_.a_records["mx1.example.com"] = {"192.0.2.1"};
  dns_.a_records["mx2.example.com"] = {"192.0.2.100"};
  EXPECT_EQ(result("192.0.2.1"), "pass");
  EXPECT_EQ(result("192.0.2.110"), "pass");
  EXPECT_EQ(result("192.0.2.50"), "fail");
}

TEST_F(SpfTest, MoreThanTenMxHostsIsPermerror) {
  spf("example.com", "v=spf1 mx -all");
  for (int i = 0; i < 11; ++i) dns_.mx_records["example.com"].push_back({10, "mx.example.com"});
  EXPECT_EQ(result("192.0.2.1"), "permerror");
}

TEST_F(SpfTest, ExistsAndPtr) {
  spf("example.com", "v=spf1 ptr exists:%{ir}.allow.example.com -all");
  dns_.a_records["1.2.0.192.allow.example.com"] = {"127.0.0.2"};
  EXPECT_EQ(result("192.0.2.1"), "pass");
  EXPECT_EQ(result("192.0.2.2"), "fail");  // ptr never matches: no PTR lookups (documented)
}

TEST_F(SpfTest, IncludeResultsMapPerSection52) {
  spf("example.com", "v=spf1 include:_spf.provider.test -all");
  spf("_spf.provider.test", "v=spf1 ip4:192.0.2.0/24 ~all");
  EXPECT_EQ(result("192.0.2.5"), "pass");
  EXPECT_EQ(result("198.51.100.1"), "fail");  // the include's ~all is just "no match"
  dns_.txt_records.erase("_spf.provider.test");
  EXPECT_EQ(result("192.0.2.5"), "permerror");  // include of a domain without SPF
  dns_.tempfail.insert("_spf.provider.test");
  EXPECT_EQ(result("192.0.2.5"), "temperror");
}

TEST_F(SpfTest, RedirectOnlyWhenNothingMatched) {
  spf("example.com", "v=spf1 ip4:198.51.100.1 redirect=_spf.example.net");
  spf("_spf.example.net", "v=spf1 ip4:192.0.2.0/24 -all");
  EXPECT_EQ(result("198.51.100.1"), "pass");
  EXPECT_EQ(result("192.0.2.1"), "pass");
  EXPECT_EQ(result("203.0.113.1"), "fail");
  dns_.txt_records["example.com"] = {"v=spf1 redirect=nowhere.example.net"};
  EXPECT_EQ(result("192.0.2.1"), "permerror");  // §6.1: target without a record
  dns_.txt_records["example.com"] = {"v=spf1 ?all redirect=_spf.example.net"};
  EXPECT_EQ(result("203.0.113.1"), "neutral");
}

TEST_F(SpfTest, TenLookupLimit) {
  std::string record = "v=spf1";
  for (int i = 0; i < 10; ++i) record += " a:h" + std::to_string(i) + ".example.com";
  for (int i = 0; i < 10; ++i)
    dns_.a_records["h" + std::to_string(i) + ".example.com"] = {"10.0.0.1"};
  spf("example.com", record + " ip4:192.0.2.1");
  EXPECT_EQ(result("192.0.2.1"), "pass");  // exactly 10 lookups is fine; ip4 costs none
  dns_.txt_records["example.com"] = {record + " a:h0.example.com ip4:192.0.2.1"};
  auto v = check("192.0.2.1");
  EXPECT_EQ(v.result, "permerror");
  EXPECT_EQ(v.reason, "more than 10 DNS lookups");
}

TEST_F(SpfTest, LookupLimitCountsNestedIncludes) {
  for (int i = 0; i < 12; ++i)
    spf("i" + std::to_string(i) + ".example.com",
        "v=spf1 include:i" + std::to_string(i + 1) + ".example.com");
  spf("i12.example.com", "v=spf1 +all");
  spf("example.com", "v=spf1 include:i0.example.com -all");
  EXPECT_EQ(result("192.0.2.1"), "permerror");
}

TEST_F(SpfTest, VoidLookupLimit) {
  spf("example.com", "v=spf1 a:n1.example.com a:n2.example.com ip4:192.0.2.1 -all");
  EXPECT_EQ(result("192.0.2.1"), "pass");  // two void lookups are allowed
  dns_.txt_records["example.com"] = {
      "v=spf1 a:n1.example.com mx:n2.example.com exists:n3.example.com ip4:192.0.2.1 -all"};
  auto v = check("192.0.2.1");
  EXPECT_EQ(v.result, "permerror");
  EXPECT_EQ(v.reason, "more than 2 void lookups");
}

TEST_F(SpfTest, DnsFailureIsTemperror) {
  dns_.tempfail.insert("example.com");
  EXPECT_EQ(result("192.0.2.1"), "temperror");
  dns_.tempfail.clear();
  spf("example.com", "v=spf1 a:down.example.com -all");
  dns_.tempfail.insert("down.example.com");
  EXPECT_EQ(result("192.0.2.1"), "temperror");
}

TEST_F(SpfTest, SyntaxErrorsAnywhereArePermerror) {
  for (std::string bad :
       {"v=spf1 ip4:192.0.2.1 foo:bar", "v=spf1 ip4:192.0.2.300", "v=spf1 ip4:192.0.2.0/33",
        "v=spf1 ip6:2001:db8::/129", "v=spf1 a/024", "v=spf1 include", "v=spf1 include:localhost",
        "v=spf1 redirect=a.example.com redirect=b.example.com", "v=spf1 exists:%{x}.example.com",
        "v=spf1 exists:%{d", "v=spf1 -exp=x.com", "v=spf1 all:x",
        "v=spf1 exists:%{c}.example.com"}) {
    dns_.txt_records["example.com"] = {bad};
    EXPECT_EQ(result("192.0.2.1"), "permerror") << bad;
  }
}

TEST_F(SpfTest, NullSenderChecksHelo) {
  spf("mail.example.org", "v=spf1 ip4:192.0.2.1 -all");
  auto v = check("192.0.2.1", "");
  EXPECT_EQ(v.result, "pass");
  EXPECT_EQ(v.domain, "mail.example.org");
  EXPECT_EQ(v.identity, "helo");
  EXPECT_EQ(check("192.0.2.1", "<>").result, "pass");
}

TEST_F(SpfTest, InvalidDomainIsNone) {
  EXPECT_EQ(result("192.0.2.1", "alice@localhost"), "none");
  EXPECT_EQ(result("192.0.2.1", "alice@a..b"), "none");
}

TEST(SpfMacro, Rfc7208Section74Examples) {
  SpfMacroContext c;
  c.sender = "strong-bad@email.example.com";
  c.local_part = "strong-bad";
  c.sender_domain = "email.example.com";
  c.domain = "email.example.com";
  c.ip = "192.0.2.3";
  c.helo = "mx.example.org";
  auto x = [&](const char* in) {
    auto r = expandMacros(in, c);
    return r.ok() ? *r : "<error>";
  };
  EXPECT_EQ(x("%{s}"), "strong-bad@email.example.com");
  EXPECT_EQ(x("%{o}"), "email.example.com");
  EXPECT_EQ(x("%{d}"), "email.example.com");
  EXPECT_EQ(x("%{d4}"), "email.example.com");
  EXPECT_EQ(x("%{d3}"), "email.example.com");
  EXPECT_EQ(x("%{d2}"), "example.com");
  EXPECT_EQ(x("%{d1}"), "com");
  EXPECT_EQ(x("%{dr}"), "com.example.email");
  EXPECT_EQ(x("%{d2r}"), "example.email");
  EXPECT_EQ(x("%{l}"), "strong-bad");
  EXPECT_EQ(x("%{l-}"), "strong.bad");
  EXPECT_EQ(x("%{lr}"), "strong-bad");
  EXPECT_EQ(x("%{lr-}"), "bad.strong");
  EXPECT_EQ(x("%{l1r-}"), "strong");
  EXPECT_EQ(x("%{ir}.%{v}._spf.%{d2}"), "3.2.0.192.in-addr._spf.example.com");
  EXPECT_EQ(x("%{lr-}.lp._spf.%{d2}"), "bad.strong.lp._spf.example.com");
  EXPECT_EQ(x("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}"),
            "bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
  EXPECT_EQ(x("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}"), "3.2.0.192.in-addr.strong.lp._spf.example.com");
  EXPECT_EQ(x("%{d2}.trusted-domains.example.net"), "example.com.trusted-domains.example.net");
  EXPECT_EQ(x("%{h}"), "mx.example.org");
  EXPECT_EQ(x("%%%_%-"), "% %20");
  EXPECT_EQ(x("%{S}"), "strong-bad%40email.example.com");  // upper case URL-escapes
  EXPECT_EQ(x("%{d0}"), "<error>");
  c.ip = "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.5";
  c.ipv6 = true;
  EXPECT_EQ(x("%{ir}.%{v}._spf.%{d2}"),
            "5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1.ip6._spf.example.com");
}

TEST_F(SpfTest, MacroExpansionOfIp6Client) {
  spf("example.com", "v=spf1 exists:%{ir}.%{v}.allow.example.com -all");
  dns_.a_records
      ["5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1.ip6.allow."
       "example.com"] = {"127.0.0.2"};
  EXPECT_EQ(result("10bc::5"), "pass");
  EXPECT_EQ(result("10bc::6"), "fail");
}

TEST_F(SpfTest, MacroExpansionOfSenderParts) {
  spf("example.com", "v=spf1 exists:%{l}.%{o}._spf.example.com -all");
  dns_.a_records["alice.example.com._spf.example.com"] = {"127.0.0.2"};
  EXPECT_EQ(result("192.0.2.1", "alice@example.com"), "pass");
  EXPECT_EQ(result("192.0.2.1", "bob@example.com"), "fail");
}

TEST(SpfRecord, ParsesTermsAndModifiers) {
  auto r = parseSpfRecord(
      "v=spf1  -ip4:10.0.0.0/8 ~mx:example.com/24//64 ?a//48 "
      "exists:%{i}.x.example.com redirect=_spf.example.com exp=e.example.com "
      "future-mod=%{d} ");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->mechanisms.size(), 4u);
  EXPECT_EQ(r->mechanisms[0].qualifier, '-');
  EXPECT_EQ(r->mechanisms[0].cidr4, 8);
  EXPECT_EQ(r->mechanisms[1].kind, SpfKind::kMx);
  EXPECT_EQ(r->mechanisms[1].domain_spec, "example.com");
  EXPECT_EQ(r->mechanisms[1].cidr4, 24);
  EXPECT_EQ(r->mechanisms[1].cidr6, 64);
  EXPECT_EQ(r->mechanisms[2].cidr4, 32);
  EXPECT_EQ(r->mechanisms[2].cidr6, 48);
  EXPECT_EQ(*r->redirect, "_spf.example.com");
  EXPECT_EQ(*r->exp, "e.example.com");
}

}  // namespace
}  // namespace mailjuke::core::mailauth
