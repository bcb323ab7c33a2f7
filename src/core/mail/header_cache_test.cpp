#include "core/mail/header_cache.h"

#include <gtest/gtest.h>

namespace mailjuke::core {
namespace {

TEST(HeaderCache, HeaderBlockEndsWithTheEmptyLine) {
  EXPECT_EQ(headerBlock("Subject: a\r\nFrom: b\r\n\r\nbody\r\n\r\nmore"),
            "Subject: a\r\nFrom: b\r\n\r\n");
  EXPECT_EQ(headerBlock("Subject: no body\r\n"), "Subject: no body\r\n");
  EXPECT_EQ(headerBlock("\r\nbody only"), "\r\n");
}

TEST(HeaderCache, BoundedByBytesAndClearedWhenFull) {
  HeaderCache cache(1000);
  cache.put("b1", std::string(300, 'x'));
  cache.put("b2", std::string(300, 'y'));
  EXPECT_EQ(cache.get("b1"), std::string(300, 'x'));
  EXPECT_FALSE(cache.get("b3"));
  cache.put("b3", std::string(300, 'z'));  // over the bound: the others go
  EXPECT_FALSE(cache.get("b1"));
  EXPECT_EQ(cache.get("b3"), std::string(300, 'z'));
  cache.put("huge", std::string(2000, 'h'));  // larger than the whole cache: not kept
  EXPECT_FALSE(cache.get("huge"));
  EXPECT_LE(cache.bytes(), 1000u);
}

}  // namespace
}  // namespace mailjuke::core
