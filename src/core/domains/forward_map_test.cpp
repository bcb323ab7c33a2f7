#include "core/domains/forward_map.h"

#include <gtest/gtest.h>

#include "core/domains/dns_client.h"

namespace mailjuke::core {
namespace {

TEST(ForwardMap, HostOnlyStripsPortCaseAndDot) {
  EXPECT_EQ(hostOnly("Example.COM:8080"), "example.com");
  EXPECT_EQ(hostOnly("example.com."), "example.com");
  EXPECT_EQ(hostOnly("[::1]:80"), "");
  EXPECT_EQ(hostOnly(""), "");
}

TEST(ForwardMap, MatchesApexAndWwwButNotOtherSubdomainsOrOwnHost) {
  ForwardMap m("app.mailjuke.test");
  m.install({{"shop.com", "https://x.example/"}, {"app.mailjuke.test", "https://evil/"}});
  EXPECT_EQ(m.lookup("SHOP.com:443"), "https://x.example/");
  EXPECT_EQ(m.lookup("www.shop.com"), "https://x.example/");
  EXPECT_FALSE(m.lookup("mail.shop.com"));
  EXPECT_FALSE(m.lookup("www.www.shop.com"));
  EXPECT_FALSE(m.lookup("app.mailjuke.test"));
  EXPECT_FALSE(m.lookup("other.com"));
}

TEST(DnsClient, TxtJoinedConcatenatesStrings) {
  EXPECT_EQ(txtJoined(std::string("\x03"
                                  "abc"
                                  "\x02"
                                  "de",
                                  7)),
            "abcde");
  EXPECT_EQ(txtJoined(""), "");
  EXPECT_EQ(txtJoined(std::string("\x05"
                                  "ab",
                                  3)),
            "ab");  // truncated: takes what is there
}

TEST(DnsClient, RejectsBadResolverAddress) {
  EXPECT_FALSE(dnsQuery("nonsense", "example.com", 16).ok());
  EXPECT_FALSE(dnsQuery("127.0.0.1:99999", "example.com", 16).ok());
}

}  // namespace
}  // namespace mailjuke::core
