#include "core/mailauth/dkim.h"

#include <gtest/gtest.h>

#include "base/crypto.h"
#include "base/encoding.h"
#include "core/domains/dkim_key.h"
#include "core/mailauth/dkim_canon.h"
#include "core/mailauth/dkim_crypto.h"
#include "core/mailauth/dkim_hash.h"
#include "core/mailauth/fake_resolver.h"
#include "core/mailauth/tag_list.h"

namespace mailjuke::core::mailauth {
namespace {

constexpr int64_t kNow = 1700000000;

const std::string kMessage =
    "From: Alice <alice@example.com>\r\n"
    "To: bob@example.net\r\n"
    "Subject: Hello   there\r\n"
    "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
    "Message-ID: <1@example.com>\r\n"
    "X-Unsigned: yes\r\n"
    "\r\n"
    "Hi Bob,\r\n"
    "\r\n"
    "See you  soon.\r\n";

class DkimTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto k = generateDkimKey(2048);
    ASSERT_TRUE(k.ok());
    key_ = new DkimKeyPair(*k);
  }
  void SetUp() override {
    dns_.txt_records["sel._domainkey.example.com"] = {dkimTxtValue(key_->public_b64)};
  }
  std::string sign(const std::string& message, int64_t now = kNow) {
    auto sig = dkimSign(message, {"example.com", "sel", key_->private_pem}, now);
    EXPECT_TRUE(sig.ok()) << (sig.ok() ? "" : sig.error().message);
    return sig.ok() ? *sig + message : message;
  }
  DkimVerdict verifyOne(const std::string& signed_message, int64_t now = kNow) {
    auto v = dkimVerify(signed_message, dns_, now);
    EXPECT_EQ(v.size(), 1u);
    return v.empty() ? DkimVerdict{} : v[0];
  }
  static DkimKeyPair* key_;
  testing::FakeResolver dns_;
};
DkimKeyPair* DkimTest::key_ = nullptr;

TEST_F(DkimTest, SignThenVerifyRoundTrip) {
  std::string m = sign(kMessage);
  auto v = verifyOne(m);
  EXPECT_EQ(v.result, "pass") << v.reason;
  EXPECT_EQ(v.domain, "example.com");
  EXPECT_EQ(v.selector, "sel");
}

TEST_F(DkimTest, SignedFieldIsFoldedWithRequiredTags) {
  auto sig = dkimSign(kMessage, {"example.com", "sel", key_->private_pem}, kNow);
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(sig->rfind("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;", 0), 0u);
  EXPECT_EQ(sig->substr(sig->size() - 2), "\r\n");
  size_t start = 0;
  while (start < sig->size()) {
    size_t end = sig->find("\r\n", start);
    EXPECT_LE(end - start, 78u) << sig->substr(start, end - start);
    start = end + 2;
  }
  EXPECT_NE(sig->find("t=1700000000;"), std::string::npos);
  EXPECT_NE(sig->find("h=from:to:subject:date:message-id;"), std::string::npos);
  EXPECT_EQ(sig->find("x-unsigned"), std::string::npos);
}

TEST_F(DkimTest, RefusesMessageWithoutFrom) {
  EXPECT_FALSE(dkimSign("To: a@b.c\r\n\r\nx\r\n", {"example.com", "sel", key_->private_pem}, 1));
  EXPECT_FALSE(dkimSign(kMessage, {"example.com", "sel", "not a key"}, 1));
}

TEST_F(DkimTest, RelaxedSurvivesWhitespaceAndFoldingChanges) {
  std::string m = sign(kMessage);
  std::string changed = m;
  changed.replace(changed.find("Subject: Hello   there"), 22, "subject:Hello\r\n  there ");
  changed.replace(changed.find("See you  soon."), 14, "See you soon.  \r\n\r\n");
  EXPECT_EQ(verifyOne(changed).result, "pass");
}

TEST_F(DkimTest, TamperedBodyFails) {
  std::string m = sign(kMessage);
  m.replace(m.find("soon"), 4, "late");
  auto v = verifyOne(m);
  EXPECT_EQ(v.result, "fail");
  EXPECT_EQ(v.reason, "body hash did not verify");
}

TEST_F(DkimTest, TamperedHeaderFails) {
  std::string m = sign(kMessage);
  m.replace(m.find("Hello"), 5, "Howdy");
  auto v = verifyOne(m);
  EXPECT_EQ(v.result, "fail");
  EXPECT_EQ(v.reason, "signature did not verify");
}

TEST_F(DkimTest, AddedSignedHeaderInstanceDoesNotBreakButUnsignedOneIsIgnored) {
  std::string m = sign(kMessage);
  m += "";  // headers appended at the end of the header section are unsigned extras
  std::string extra = m;
  extra.insert(extra.find("\r\n\r\n") + 2, "X-Other: 1\r\n");
  EXPECT_EQ(verifyOne(extra).result, "pass");
}

TEST_F(DkimTest, NoSignatureGivesNoVerdicts) {
  EXPECT_TRUE(dkimVerify(kMessage, dns_, kNow).empty());
}

TEST_F(DkimTest, RevokedKeyIsPermerror) {
  dns_.txt_records["sel._domainkey.example.com"] = {"v=DKIM1; k=rsa; p="};
  auto v = verifyOne(sign(kMessage));
  EXPECT_EQ(v.result, "permerror");
  EXPECT_EQ(v.reason, "key revoked");
}

TEST_F(DkimTest, MissingKeyAndDnsFailure) {
  std::string m = sign(kMessage);
  dns_.txt_records.clear();
  EXPECT_EQ(verifyOne(m).result, "permerror");
  dns_.tempfail.insert("sel._domainkey.example.com");
  EXPECT_EQ(verifyOne(m).result, "temperror");
}

TEST_F(DkimTest, WrongKeyTypeAndVersion) {
  std::string m = sign(kMessage);
  dns_.txt_records["sel._domainkey.example.com"] = {"v=DKIM1; k=ed25519; p=AAAA"};
  EXPECT_EQ(verifyOne(m).result, "permerror");
  dns_.txt_records["sel._domainkey.example.com"] = {"k=rsa; v=DKIM1; p=" + key_->public_b64};
  EXPECT_EQ(verifyOne(m).result, "permerror");
}

// Prepends a signature computed here over a hand-made tag list ("bh=BH;" is replaced by the
// real body hash), so tests can exercise tags dkimSign never writes (l=, x=, simple).
std::string resign(const std::string& message, std::string tags, const std::string& pem, Canon ch,
                   Canon cb, size_t length = std::string::npos) {
  auto headers = mime::parseHeaders(message);
  std::string body = canonBody(cb, std::string_view(message).substr(headers->body_offset));
  if (length != std::string::npos) body.resize(length);
  tags.replace(tags.find("bh=BH;"), 6, "bh=" + base64Encode(crypto::sha256(body)) + ";");
  std::string field = "DKIM-Signature: " + tags + " b=";
  std::vector<std::string> names = splitList(*parseTagList(tags)->get("h"), ':');
  auto sig = rsaSha256Sign(pem, headerHashInput(*headers, names, ch, field));
  return field + base64Encode(*sig) + "\r\n" + message;
}

TEST_F(DkimTest, ExpiredSignatureFails) {
  std::string m = resign(kMessage,
                         "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=sel; "
                         "t=100; x=200; h=from:subject; bh=BH;",
                         key_->private_pem, Canon::kRelaxed, Canon::kRelaxed);
  auto v = verifyOne(m, 300);
  EXPECT_EQ(v.result, "fail");
  EXPECT_EQ(v.reason, "signature expired");
  EXPECT_EQ(verifyOne(m, 150).result, "pass");
}

TEST_F(DkimTest, BodyLengthLimitIgnoresAppendedText) {
  // l= counts canonical body octets: "Hi Bob,\r\n" is 9.
  std::string m = resign(kMessage,
                         "v=1; a=rsa-sha256; c=simple/simple; d=example.com; s=sel; "
                         "l=9; h=from:to; bh=BH;",
                         key_->private_pem, Canon::kSimple, Canon::kSimple, 9);
  EXPECT_EQ(verifyOne(m).result, "pass");
  EXPECT_EQ(verifyOne(m + "appended by a list\r\n").result, "pass");
  std::string cut = m.substr(0, m.find("Hi Bob")) + "Hi\r\n";
  EXPECT_EQ(verifyOne(cut).result, "permerror");  // l= longer than the body
}

TEST_F(DkimTest, SimpleCanonicalisationIsStrict) {
  std::string m = resign(kMessage,
                         "v=1; a=rsa-sha256; c=simple/simple; d=example.com; s=sel; "
                         "h=from:to:subject; bh=BH;",
                         key_->private_pem, Canon::kSimple, Canon::kSimple);
  EXPECT_EQ(verifyOne(m).result, "pass");
  std::string changed = m;
  changed.replace(changed.find("Hello   there"), 13, "Hello there");
  EXPECT_EQ(verifyOne(changed).result, "fail");
}

TEST_F(DkimTest, OverSignedFromRejectsAnAddedFrom) {
  // §5.4.2: a name listed more often than present contributes nothing for the extra instance,
  // so adding a From field afterwards breaks the signature.
  std::string m = resign(kMessage,
                         "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=sel; "
                         "h=from:from:subject; bh=BH;",
                         key_->private_pem, Canon::kRelaxed, Canon::kRelaxed);
  EXPECT_EQ(verifyOne(m).result, "pass");
  std::string added = m;
  added.insert(added.find("\r\n\r\n") + 2, "From: mallory@example.com\r\n");
  EXPECT_EQ(verifyOne(added).result, "fail");
}

TEST_F(DkimTest, OnlyTheFirstEightSignaturesAreChecked) {
  std::string m = sign(kMessage);
  std::string many = m;
  for (int i = 0; i < 9; ++i) many = m.substr(0, m.find("From:")) + many;
  dns_.queries.clear();
  auto v = dkimVerify(many, dns_, kNow);
  ASSERT_EQ(v.size(), 10u);
  EXPECT_EQ(v[7].result, "pass");
  EXPECT_EQ(v[8].result, "neutral");
  EXPECT_EQ(v[9].domain, "example.com");
  EXPECT_EQ(dns_.queries.size(), 8u);
}

TEST_F(DkimTest, MalformedSignatureTagsArePermerror) {
  for (std::string bad : {"v=1; a=rsa-sha256; d=example.com", "v=1;; a=x",
                          "v=2; a=rsa-sha256; "
                          "b=AA; bh=AA; d=example.com; h=from; s=sel",
                          "v=1; a=rsa-sha1; b=AA; bh=AA; d=example.com; h=from; s=sel",
                          "v=1; a=rsa-sha256; b=AA; bh=AA; d=example.com; h=to; s=sel",
                          "v=1; a=rsa-sha256; b=AA; bh=AA; d=example.com; h=from; s=sel; "
                          "i=@evil.com"}) {
    auto v = verifyOne("DKIM-Signature: " + bad + "\r\n" + kMessage);
    EXPECT_EQ(v.result, "permerror") << bad;
    EXPECT_FALSE(v.reason.empty());
  }
}

}  // namespace
}  // namespace mailjuke::core::mailauth
