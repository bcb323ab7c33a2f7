#include "proto/mime/headers.h"

#include <gtest/gtest.h>

namespace mailjuke::mime {
namespace {

TEST(Headers, SplitsFieldsKeepsRawAndFindsBody) {
  std::string msg =
      "From: \"Smith, Al\" <al@example.com>\r\nSubject: a long\r\n  folded subject\r\n"
      "To: bob@example.org, Team: c@x.io, d@y.io;\r\n\r\nbody\r\n";
  auto h = parseHeaders(msg);
  ASSERT_TRUE(h.ok()) << h.error().message;
  ASSERT_EQ(h->fields.size(), 3u);
  EXPECT_EQ(h->fields[1].raw, "Subject: a long\r\n  folded subject\r\n");
  EXPECT_EQ(unfold(h->find("subject")->value), " a long  folded subject");
  EXPECT_EQ(msg.substr(h->body_offset), "body\r\n");
  EXPECT_EQ(addresses(h->find("From")->value), std::vector<std::string>{"al@example.com"});
  EXPECT_EQ(addresses(h->find("To")->value),
            (std::vector<std::string>{"bob@example.org", "c@x.io", "d@y.io"}));
  EXPECT_EQ(h->count("from"), 1u);
  EXPECT_FALSE(h->eight_bit);
}

TEST(Headers, RejectsGarbage) {
  EXPECT_FALSE(parseHeaders(" leading continuation\r\n\r\n").ok());
  EXPECT_FALSE(parseHeaders("no colon here\r\n\r\n").ok());
  EXPECT_FALSE(parseHeaders("Bad Name: x\r\n\r\n").ok());
  EXPECT_FALSE(parseHeaders("X: " + std::string(70000, 'a') + "\r\n\r\n").ok());
  auto open = parseHeaders("Subject: no body separator\r\n");
  ASSERT_TRUE(open.ok());
  EXPECT_FALSE(open->has_body_separator);
  auto utf8 = parseHeaders("Subject: héllo\r\n\r\n");
  EXPECT_TRUE(utf8->eight_bit);
}

}  // namespace
}  // namespace mailjuke::mime
