#include "proto/dns/name.h"

#include <gtest/gtest.h>

#include "proto/dns/wire.h"

namespace mailjuke::dns {
namespace {

TEST(DnsName, ParsesAbsoluteAndRelative) {
  auto origin = *Name::parse("example.com.");
  EXPECT_EQ(Name::parse("www", origin)->toString(), "www.example.com.");
  EXPECT_EQ(Name::parse("www.other.", origin)->toString(), "www.other.");
  EXPECT_EQ(Name::parse("@", origin)->toString(), "example.com.");
  EXPECT_EQ(Name::parse(".")->toString(), ".");
  EXPECT_TRUE(Name::parse(".")->isRoot());
  EXPECT_EQ(origin.labelCount(), 2u);
}

TEST(DnsName, Escapes) {
  auto n = *Name::parse("a\\.b.c\\065\\032d.");
  EXPECT_EQ(n.labelCount(), 2u);
  EXPECT_EQ(n.wire(), std::string("\3a.b\4cA d\0", 10));
  EXPECT_EQ(n.toString(), "a\\.b.cA\\032d.");
  EXPECT_FALSE(Name::parse("bad\\2").ok());
  EXPECT_FALSE(Name::parse("bad\\256.").ok());
  EXPECT_FALSE(Name::parse("a..b.").ok());
  EXPECT_FALSE(Name::parse("").ok());
}

TEST(DnsName, Limits) {
  std::string label63(63, 'a');
  EXPECT_TRUE(Name::parse(label63 + ".").ok());
  EXPECT_FALSE(Name::parse(label63 + "a.").ok());  // RFC 1035 §2.3.4: 63-octet labels
  std::string name;
  for (int i = 0; i < 4; ++i) name += std::string(62, 'x') + ".";  // 4 * 63 + 1 = 253 octets
  EXPECT_TRUE(Name::parse(name).ok());
  EXPECT_FALSE(Name::parse("yy." + name).ok());  // 256 octets
}

TEST(DnsName, CaseInsensitiveCompareCasePreserved) {
  auto a = *Name::parse("WwW.Example.COM.");
  auto b = *Name::parse("www.example.com.");
  EXPECT_TRUE(a == b);  // RFC 4343 §3
  EXPECT_EQ(a.toString(), "WwW.Example.COM.");
  EXPECT_EQ(a.lower().toString(), "www.example.com.");
  EXPECT_TRUE(a.isSubdomainOf(*Name::parse("EXAMPLE.com.")));
  EXPECT_FALSE(a.isSubdomainOf(*Name::parse("ample.com.")));
  EXPECT_TRUE(Name().isRoot() && a.isSubdomainOf(Name()));
  EXPECT_EQ(a.parent().toString(), "Example.COM.");
  EXPECT_EQ(a.toStringRelative(*Name::parse("example.com.")), "WwW");
  EXPECT_EQ(b.toStringRelative(b), "@");
}

TEST(DnsWire, CompressesAndDecompresses) {
  WireWriter w;
  w.bytes(std::string(12, '\0'));
  w.name(Name::parse("www.example.com.")->wire());
  w.name(Name::parse("mail.EXAMPLE.com.")->wire());
  w.name(Name::parse("example.com.")->wire());
  // www.example.com. (17) + "mail" + pointer (7) + pointer (2)
  EXPECT_EQ(w.size(), 12u + 17 + 7 + 2);
  WireReader r(w.buffer(), 12);
  EXPECT_EQ(*Name::fromWire(r.name()), *Name::parse("www.example.com."));
  EXPECT_EQ(*Name::fromWire(r.name()), *Name::parse("mail.example.com."));
  EXPECT_EQ(*Name::fromWire(r.name()), *Name::parse("example.com."));
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(DnsWire, RejectsPointerLoopsAndForwardPointers) {
  std::string self("\xC0\x00", 2);
  EXPECT_TRUE(WireReader(self).name().empty());
  std::string loop = std::string(
      "\x01"
      "a"
      "\xC0\x02",
      4);  // points at itself
  WireReader r(loop, 2);
  r.name();
  EXPECT_FALSE(r.ok());
  std::string two = std::string("\xC0\x02\xC0\x00", 4);  // a pointing to b pointing to a
  WireReader r2(two, 0);
  r2.name();
  EXPECT_FALSE(r2.ok());
  std::string truncated(
      "\x05"
      "ab",
      3);
  WireReader r3(truncated);
  r3.name();
  EXPECT_FALSE(r3.ok());
}

TEST(DnsWire, RejectsExpandedNamesOver255) {
  // 5 labels of 63 octets reached through pointers: longer than 255 once expanded.
  std::string msg;
  std::string label = std::string(1, '\x3F') + std::string(63, 'a');
  msg += label + std::string(1, '\0');  // offset 0: a63.
  for (int i = 0; i < 4; ++i) {
    size_t prev = msg.size() - (i == 0 ? 65 : 66);
    msg += label;
    msg.push_back(static_cast<char>(0xC0 | (prev >> 8)));
    msg.push_back(static_cast<char>(prev & 0xFF));
  }
  WireReader r(msg, msg.size() - 66);
  r.name();
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace mailjuke::dns
