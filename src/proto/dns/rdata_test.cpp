#include "proto/dns/rdata.h"

#include <gtest/gtest.h>

#include "proto/dns/types.h"
#include "proto/dns/wire.h"

namespace mailjuke::dns {
namespace {

const Name kOrigin = *Name::parse("example.com.");

std::string roundTrip(uint16_t type, std::string_view text) {
  auto wire = parseRdataText(type, text, kOrigin);
  EXPECT_TRUE(wire.ok()) << text << ": " << (wire.ok() ? "" : wire.error().message);
  if (!wire.ok()) return "";
  // The wire form also survives a write/read cycle through a message.
  WireWriter w;
  writeRdata(w, type, *wire);
  WireReader r(w.buffer());
  std::string back;
  EXPECT_TRUE(readRdata(r, type, static_cast<uint16_t>(w.size()), &back));
  EXPECT_EQ(back, *wire);
  return rdataToText(type, *wire);
}

TEST(DnsRdata, KnownTypesRoundTrip) {
  EXPECT_EQ(roundTrip(RrType::kA, "192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(roundTrip(RrType::kAaaa, "2001:DB8::1"), "2001:db8::1");
  EXPECT_EQ(roundTrip(RrType::kNs, "ns1"), "ns1.example.com.");
  EXPECT_EQ(roundTrip(RrType::kCname, "target.other."), "target.other.");
  EXPECT_EQ(roundTrip(RrType::kPtr, "host.example.net."), "host.example.net.");
  EXPECT_EQ(roundTrip(RrType::kMx, "10 mail"), "10 mail.example.com.");
  EXPECT_EQ(roundTrip(RrType::kSrv, "10 5 5060 sip.example.com."), "10 5 5060 sip.example.com.");
  EXPECT_EQ(roundTrip(RrType::kSoa, "ns1 hostmaster 1 2h 1h 2w 300"),
            "ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300");
  EXPECT_EQ(roundTrip(RrType::kCaa, "0 issue \"letsencrypt.org\""), "0 issue \"letsencrypt.org\"");
  EXPECT_EQ(roundTrip(RrType::kTxt, "\"a b\" \"c\\\"d\""), "\"a b\" \"c\\\"d\"");
  EXPECT_EQ(roundTrip(65280, "\\# 3 0a0b0c"), "\\# 3 0a0b0c");
  EXPECT_EQ(roundTrip(RrType::kA, "\\# 4 c0000201"), "192.0.2.1");
}

TEST(DnsRdata, TxtUnquotedIsOneStringAndLongStringsSplit) {
  // The API form: an unquoted value stays one logical string.
  auto spf = *parseRdataText(RrType::kTxt, "v=spf1 include:_spf.x ~all", kOrigin);
  EXPECT_EQ(spf, std::string("\x1Av=spf1 include:_spf.x ~all"));
  std::string key(400, 'k');
  auto dkim = *parseRdataText(RrType::kTxt, key, kOrigin);
  ASSERT_EQ(dkim.size(), 402u);  // 255 + 145 octets, two length bytes
  EXPECT_EQ(static_cast<uint8_t>(dkim[0]), 255);
  EXPECT_EQ(static_cast<uint8_t>(dkim[256]), 145);
  auto quoted = *parseRdataText(RrType::kTxt, "\"" + key + "\"", kOrigin);
  EXPECT_EQ(quoted, dkim);
  EXPECT_EQ(*parseRdataText(RrType::kTxt, "\"\"", kOrigin), std::string("\0", 1));
}

TEST(DnsRdata, RejectsBadInput) {
  EXPECT_FALSE(parseRdataText(RrType::kA, "192.0.2", kOrigin).ok());
  EXPECT_FALSE(parseRdataText(RrType::kA, "192.0.2.1 extra", kOrigin).ok());
  EXPECT_FALSE(parseRdataText(RrType::kAaaa, "192.0.2.1", kOrigin).ok());
  EXPECT_FALSE(parseRdataText(RrType::kMx, "mail", kOrigin).ok());
  EXPECT_FALSE(parseRdataText(RrType::kMx, "70000 mail", kOrigin).ok());
  EXPECT_FALSE(parseRdataText(RrType::kSoa, "a b 1 2 3", kOrigin).ok());
  EXPECT_FALSE(parseRdataText(RrType::kCaa, "0 is-sue x", kOrigin).ok());
  EXPECT_FALSE(parseRdataText(65280, "abc", kOrigin).ok());
  EXPECT_FALSE(parseRdataText(65280, "\\# 2 0a", kOrigin).ok());
  EXPECT_FALSE(parseRdataText(RrType::kTxt, "\"unterminated", kOrigin).ok());
}

TEST(DnsRdata, ReadRdataChecksLayout) {
  WireReader r(std::string_view("\x01\x02\x03", 3));
  std::string out;
  EXPECT_FALSE(readRdata(r, RrType::kA, 3, &out));
  WireReader t(
      std::string_view("\x05"
                       "ab",
                       3));
  EXPECT_FALSE(readRdata(t, RrType::kTxt, 3, &out));
  WireReader c(std::string_view("\x00\x00", 2));
  EXPECT_FALSE(readRdata(c, RrType::kCaa, 2, &out));
}

TEST(DnsRdata, Ttl) {
  EXPECT_EQ(parseTtl("3600"), 3600u);
  EXPECT_EQ(parseTtl("1h30m"), 5400u);
  EXPECT_EQ(parseTtl("1W"), 604800u);
  EXPECT_FALSE(parseTtl("1h30").has_value());
  EXPECT_FALSE(parseTtl("x").has_value());
  EXPECT_FALSE(parseTtl("99999999999").has_value());
}

}  // namespace
}  // namespace mailjuke::dns
