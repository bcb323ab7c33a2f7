#include <gtest/gtest.h>

#include "core/domains/dkim_key.h"
#include "core/mailauth/fake_resolver.h"
#include "core/mailauth/spf_dmarc.h"

namespace mailjuke::core::mailauth {
namespace {

SpfVerdict spfPass(const std::string& domain) { return {"pass", domain, "matched ip4"}; }
SpfVerdict spfFail(const std::string& domain) { return {"fail", domain, "matched -all"}; }
DkimVerdict dkimPass(const std::string& d) { return {"pass", d, "sel", ""}; }
DkimVerdict dkimFail(const std::string& d) {
  return {"fail", d, "sel", "signature did not verify"};
}

class DmarcTest : public ::testing::Test {
 protected:
  testing::FakeResolver dns_;
};

TEST_F(DmarcTest, NoRecordIsNone) {
  auto v = checkDmarc("example.com", spfPass("example.com"), {}, dns_);
  EXPECT_EQ(v.result, "none");
  EXPECT_EQ(v.policy, "");
  EXPECT_EQ(v.header_from, "example.com");
  dns_.txt_records["_dmarc.example.com"] = {"v=spf1 -all", "p=reject"};  // not DMARC records
  EXPECT_EQ(checkDmarc("example.com", spfPass("example.com"), {}, dns_).result, "none");
}

TEST_F(DmarcTest, RelaxedAlignmentUsesOrganisationalDomains) {
  dns_.txt_records["_dmarc.example.com"] = {"v=DMARC1; p=reject; pct=50; rua=mailto:d@example.com"};
  auto v = checkDmarc("Example.COM", spfPass("bounce.example.com"), {}, dns_);
  EXPECT_EQ(v.result, "pass");
  EXPECT_EQ(v.policy, "reject");
  EXPECT_EQ(v.pct, 50);
  EXPECT_EQ(checkDmarc("example.com", spfFail("example.com"), {dkimPass("mail.example.com")}, dns_)
                .result,
            "pass");
  EXPECT_EQ(
      checkDmarc("example.com", spfPass("example.net"), {dkimPass("example.org")}, dns_).result,
      "fail");
  // Public suffixes are respected: co.uk siblings are different organisations.
  dns_.txt_records["_dmarc.a.co.uk"] = {"v=DMARC1; p=none"};
  EXPECT_EQ(checkDmarc("a.co.uk", spfPass("b.co.uk"), {}, dns_).result, "fail");
}

TEST_F(DmarcTest, StrictAlignmentNeedsExactDomains) {
  dns_.txt_records["_dmarc.example.com"] = {"v=DMARC1; p=quarantine; aspf=s; adkim=s"};
  EXPECT_EQ(checkDmarc("example.com", spfPass("bounce.example.com"), {}, dns_).result, "fail");
  EXPECT_EQ(checkDmarc("example.com", spfPass("example.com"), {}, dns_).result, "pass");
  EXPECT_EQ(checkDmarc("example.com", spfFail("x"), {dkimPass("mail.example.com")}, dns_).result,
            "fail");
  EXPECT_EQ(checkDmarc("example.com", spfFail("x"), {dkimPass("example.com")}, dns_).result,
            "pass");
}

TEST_F(DmarcTest, FailingDkimDoesNotCount) {
  dns_.txt_records["_dmarc.example.com"] = {"v=DMARC1; p=reject"};
  auto v = checkDmarc("example.com", spfFail("example.com"), {dkimFail("example.com")}, dns_);
  EXPECT_EQ(v.result, "fail");
  EXPECT_EQ(v.policy, "reject");
}

TEST_F(DmarcTest, FallsBackToOrganisationalDomainWithSubdomainPolicy) {
  dns_.txt_records["_dmarc.example.com"] = {"v=DMARC1; p=reject; sp=quarantine"};
  auto v = checkDmarc("news.example.com", spfPass("news.example.com"), {}, dns_);
  EXPECT_EQ(v.result, "pass");
  EXPECT_EQ(v.policy, "quarantine");
  EXPECT_EQ(dns_.queries,
            (std::vector<std::string>{"TXT _dmarc.news.example.com", "TXT _dmarc.example.com"}));
  dns_.txt_records["_dmarc.example.com"] = {"v=DMARC1; p=reject"};
  EXPECT_EQ(checkDmarc("news.example.com", spfFail("x"), {}, dns_).policy, "reject");
  // A record at the subdomain itself wins and its p= applies.
  dns_.txt_records["_dmarc.news.example.com"] = {"v=DMARC1; p=none; sp=reject"};
  EXPECT_EQ(checkDmarc("news.example.com", spfFail("x"), {}, dns_).policy, "none");
}

TEST_F(DmarcTest, MultipleRecordsOrBadPolicyMeanNoDmarc) {
  dns_.txt_records["_dmarc.example.com"] = {"v=DMARC1; p=reject", "v=DMARC1; p=none"};
  EXPECT_EQ(checkDmarc("example.com", spfFail("x"), {}, dns_).result, "none");
  dns_.txt_records["_dmarc.example.com"] = {"v=DMARC1; p=bogus"};
  EXPECT_EQ(checkDmarc("example.com", spfFail("x"), {}, dns_).result, "none");
  dns_.txt_records["_dmarc.example.com"] = {"v=DMARC1; p=bogus; rua=mailto:a@example.com"};
  auto v = checkDmarc("example.com", spfFail("x"), {}, dns_);
  EXPECT_EQ(v.result, "fail");
  EXPECT_EQ(v.policy, "none");
}

TEST_F(DmarcTest, DnsFailureIsTemperror) {
  dns_.tempfail.insert("_dmarc.example.com");
  EXPECT_EQ(checkDmarc("example.com", spfPass("example.com"), {}, dns_).result, "temperror");
}

TEST(AuthResults, FormatsAllThreeMethods) {
  SpfVerdict spf{"pass", "example.com", ""};
  DmarcVerdict dmarc{"pass", "example.com", "reject"};
  std::string h = authenticationResults("mx.mailjuke.test", spf, {dkimPass("example.com")}, dmarc);
  EXPECT_EQ(h,
            "Authentication-Results: mx.mailjuke.test;\r\n"
            "\tspf=pass smtp.mailfrom=example.com;\r\n"
            "\tdkim=pass header.d=example.com header.s=sel;\r\n"
            "\tdmarc=pass (p=reject) header.from=example.com\r\n");
}

TEST(AuthResults, NoneAndReasonsInComments) {
  SpfVerdict spf{"softfail", "mail.example.org", "matched ~all (via include)", "helo"};
  DmarcVerdict dmarc{"none", "example.org", "", "no DMARC record"};
  std::string h = authenticationResults("mx.mailjuke.test", spf, {}, dmarc);
  EXPECT_EQ(h,
            "Authentication-Results: mx.mailjuke.test;\r\n"
            "\tspf=softfail (matched ~all \\(via include\\)) smtp.helo=mail.example.org;\r\n"
            "\tdkim=none;\r\n"
            "\tdmarc=none (no DMARC record) header.from=example.org\r\n");
}

TEST(AuthResults, SubmissionNamesTheAuthenticatedMailbox) {
  EXPECT_EQ(submissionAuthResults("mx.mailjuke.test", "alice@acme-mail.com"),
            "Authentication-Results: mx.mailjuke.test;\r\n"
            "\tauth=pass smtp.auth=alice@acme-mail.com\r\n");
}

TEST(AuthResults, OneResinfoPerSignatureAndLongLinesFold) {
  SpfVerdict spf{"fail", "example.com", "matched -all"};
  DmarcVerdict dmarc{"fail", "example.com", "quarantine", "no aligned SPF or DKIM pass"};
  std::string h = authenticationResults(
      "mx", spf,
      {dkimFail("a-rather-long-subdomain-name.for-folding.example.com"), dkimPass("esp.test")},
      dmarc);
  EXPECT_NE(h.find("dkim=fail (signature did not verify)\r\n\t header.d="), std::string::npos) << h;
  EXPECT_NE(h.find("dkim=pass header.d=esp.test header.s=sel;"), std::string::npos);
  size_t start = 0;
  while (start < h.size()) {
    size_t end = h.find("\r\n", start);
    EXPECT_LE(end - start, 78u);
    start = end + 2;
  }
}

TEST(MailAuth, SignedMessageFromAllowedHostGetsPassingHeader) {
  auto key = generateDkimKey(1024);
  ASSERT_TRUE(key.ok());
  testing::FakeResolver dns;
  dns.txt_records["mj._domainkey.example.com"] = {dkimTxtValue(key->public_b64)};
  dns.txt_records["bounce.example.com"] = {"v=spf1 ip4:192.0.2.0/24 -all"};
  dns.txt_records["_dmarc.example.com"] = {"v=DMARC1; p=reject"};
  std::string m = "From: a@example.com\r\nTo: b@example.net\r\nSubject: hi\r\n\r\nbody\r\n";
  auto sig = dkimSign(m, {"example.com", "mj", key->private_pem}, 1700000000);
  ASSERT_TRUE(sig.ok());
  auto dkim = dkimVerify(*sig + m, dns, 1700000001);
  auto spf = checkSpf("192.0.2.7", "mx.example.com", "b+1@bounce.example.com", dns);
  auto dmarc = checkDmarc("example.com", spf, dkim, dns);
  EXPECT_EQ(authenticationResults("mx.mailjuke.test", spf, dkim, dmarc),
            "Authentication-Results: mx.mailjuke.test;\r\n"
            "\tspf=pass (matched ip4:192.0.2.0/24) smtp.mailfrom=bounce.example.com;\r\n"
            "\tdkim=pass header.d=example.com header.s=mj;\r\n"
            "\tdmarc=pass (p=reject; aligned DKIM pass, d=example.com)\r\n"
            "\t header.from=example.com\r\n");
  // From a host SPF does not allow and with the body changed: everything fails.
  std::string tampered = *sig + m + "P.S.\r\n";
  dkim = dkimVerify(tampered, dns, 1700000001);
  spf = checkSpf("203.0.113.9", "mx.example.com", "b+1@bounce.example.com", dns);
  dmarc = checkDmarc("example.com", spf, dkim, dns);
  EXPECT_EQ(spf.result, "fail");
  EXPECT_EQ(dkim[0].result, "fail");
  EXPECT_EQ(dmarc.result, "fail");
  EXPECT_EQ(dmarc.policy, "reject");
}

}  // namespace
}  // namespace mailjuke::core::mailauth
