#include "core/domains/domain_name.h"

#include <gtest/gtest.h>

namespace mailjuke::core {
namespace {

TEST(DomainName, AcceptsRegistrableNamesAndIdn) {
  auto d = parseDomainName("name", "Example.COM.");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->ascii, "example.com");
  auto idn = parseDomainName("name", "bücher.de");
  ASSERT_TRUE(idn.ok()) << idn.error().message;
  EXPECT_EQ(idn->ascii, "xn--bcher-kva.de");
  EXPECT_EQ(idn->unicode, "bücher.de");
  EXPECT_TRUE(parseDomainName("name", "acme.co.uk").ok());
}

TEST(DomainName, RejectsWithReasons) {
  for (const char* bad : {"", "com", "co.uk", "192.0.2.1", "::1", "-bad.com", "bad-.com", "a..com",
                          "sub.example.com", "under_score.com", "\xff.com"}) {
    auto r = parseDomainName("name", bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
      EXPECT_EQ(r.error().fields.at(0).field, "name");
    }
  }
  EXPECT_FALSE(parseDomainName("name", std::string(64, 'a') + ".com").ok());
  EXPECT_FALSE(parseDomainName("name", std::string(250, 'a') + ".com").ok());
}

}  // namespace
}  // namespace mailjuke::core
