#include "core/mailauth/dkim_canon.h"

#include <gtest/gtest.h>

#include "core/mailauth/dkim_hash.h"
#include "core/mailauth/tag_list.h"

namespace mailjuke::core::mailauth {
namespace {

// RFC 6376 §3.4.5 example.
TEST(DkimCanon, Rfc6376Section345RelaxedHeaders) {
  EXPECT_EQ(canonHeader(Canon::kRelaxed, "A: X\r\n"), "a:X\r\n");
  EXPECT_EQ(canonHeader(Canon::kRelaxed, "B : Y\t\r\n\tZ  \r\n"), "b:Y Z\r\n");
  EXPECT_EQ(canonHeader(Canon::kSimple, "B : Y\t\r\n\tZ  \r\n"), "B : Y\t\r\n\tZ  \r\n");
}

TEST(DkimCanon, Rfc6376Section345Bodies) {
  const std::string body = " C \r\nD \t E\r\n\r\n\r\n";
  EXPECT_EQ(canonBody(Canon::kRelaxed, body), " C\r\nD E\r\n");
  EXPECT_EQ(canonBody(Canon::kSimple, body), " C \r\nD \t E\r\n");
}

TEST(DkimCanon, EmptyBodyRules) {
  EXPECT_EQ(canonBody(Canon::kSimple, ""), "\r\n");  // §3.4.3
  EXPECT_EQ(canonBody(Canon::kSimple, "\r\n\r\n"), "\r\n");
  EXPECT_EQ(canonBody(Canon::kRelaxed, ""), "");  // §3.4.4
  EXPECT_EQ(canonBody(Canon::kRelaxed, " \r\n\t\r\n"), "");
  EXPECT_EQ(canonBody(Canon::kRelaxed, "x"), "x\r\n");
  EXPECT_EQ(canonBody(Canon::kSimple, "x"), "x\r\n");
}

TEST(DkimCanon, EmptySignatureValueKeepsEverythingElse) {
  EXPECT_EQ(withEmptySignature("DKIM-Signature: v=1; bh=abc; b=de\r\n fg;\r\n t=1\r\n"),
            "DKIM-Signature: v=1; bh=abc; b=;\r\n t=1");
  EXPECT_EQ(withEmptySignature("DKIM-Signature: v=1; b =xyz\r\n"), "DKIM-Signature: v=1; b =");
}

TEST(DkimTagList, ParsesValuesWithFoldingAndTrailingSemicolon) {
  auto t = parseTagList(" v=1; a = rsa-sha256 ;\r\n\th=from :\r\n to;  b=ab\r\n cd; ");
  ASSERT_TRUE(t.ok()) << t.error().message;
  ASSERT_EQ(t->tags.size(), 4u);
  EXPECT_EQ(*t->get("a"), "rsa-sha256");
  EXPECT_EQ(*t->get("h"), "from :\r\n to");
  EXPECT_EQ(stripWhitespace(*t->get("b")), "abcd");
  EXPECT_EQ(splitList(*t->get("h"), ':'), (std::vector<std::string>{"from", "to"}));
  EXPECT_EQ(t->get("x"), nullptr);
  auto empty_value = parseTagList("p=");
  ASSERT_TRUE(empty_value.ok());
  EXPECT_EQ(*empty_value->get("p"), "");
}

TEST(DkimTagList, RejectsMalformedLists) {
  for (std::string bad : {"", " ", "v", "v=1;;a=2", "1v=1", "v=1; v=2", "v=1\r\na=2", "v=1\n",
                          "v=a\x01", "v=\xc3\xa9", "a-b=1", "=1", "v=1;\r\n"})
    EXPECT_FALSE(parseTagList(bad).ok()) << bad;
}

}  // namespace
}  // namespace mailjuke::core::mailauth
