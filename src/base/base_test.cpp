#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/crypto.h"
#include "base/encoding.h"
#include "base/ids.h"

namespace mailjuke {
namespace {

TEST(Encoding, RoundTrips) {
  EXPECT_EQ(hexEncode("\x01\xff"), "01ff");
  EXPECT_EQ(*hexDecode("01FF"), "\x01\xff");
  EXPECT_FALSE(hexDecode("0g").has_value());
  EXPECT_EQ(base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64Encode("fo"), "Zm8=");
  EXPECT_EQ(*base64Decode("Zm8="), "fo");
  EXPECT_EQ(*base64Decode("Zm8"), "fo");
  EXPECT_FALSE(base64Decode("Zm$=").has_value());
  EXPECT_EQ(base32Encode("foobar"), "MZXW6YTBOI");
  EXPECT_EQ(*base32Decode("MZXW6YTBOI"), "foobar");
}

TEST(Encoding, Utf8Validation) {
  EXPECT_TRUE(isValidUtf8("héllo ✓ 𝄞"));
  EXPECT_FALSE(isValidUtf8("\xc0\xaf"));      // overlong
  EXPECT_FALSE(isValidUtf8("\xed\xa0\x80"));  // surrogate
  EXPECT_FALSE(isValidUtf8("\xff"));
  EXPECT_FALSE(isValidUtf8("abc\xe2\x82"));  // truncated
}

TEST(Crypto, TotpMatchesRfc6238Vector) {
  crypto::init();
  // RFC 6238 Appendix B, SHA-1 seed, T = 59 s → 94287082 (8 digits) → last 6 digits.
  EXPECT_EQ(crypto::totpCode("12345678901234567890", 59 / 30), "287082");
  EXPECT_EQ(crypto::totpCode("12345678901234567890", 1111111109 / 30), "081804");
}

TEST(Crypto, StandardWebhooksVector) {
  // shared/reference/security-and-money.md test vector.
  auto key = base64Decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  ASSERT_TRUE(key);
  std::string sig = base64Encode(
      crypto::hmacSha256(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{\"test\": 2432232314}"));
  EXPECT_EQ(sig, "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(Crypto, PasswordHashAndSeal) {
  crypto::init();
  std::string h = crypto::hashPassword("correct horse battery", {1, 8 * 1024 * 1024});
  EXPECT_TRUE(h.rfind("$argon2id$", 0) == 0);
  EXPECT_TRUE(crypto::verifyPassword(h, "correct horse battery"));
  EXPECT_FALSE(crypto::verifyPassword(h, "wrong"));
  std::string key = crypto::randomBytes(32);
  auto sealed = crypto::seal(key, "secret");
  EXPECT_EQ(*crypto::open(key, sealed), "secret");
  EXPECT_FALSE(crypto::open(crypto::randomBytes(32), sealed).has_value());
}

TEST(Ids, PrefixedAndTimeOrdered) {
  crypto::init();
  std::string a = newId("usr");
  std::string b = newId("usr");
  EXPECT_TRUE(hasIdPrefix(a, "usr"));
  EXPECT_FALSE(hasIdPrefix(a, "ws"));
  EXPECT_EQ(a.size(), 30u);  // "usr_" + 10 time chars + 16 random chars
  EXPECT_NE(a, b);
}

TEST(Clock, Rfc3339) {
  EXPECT_EQ(formatRfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(formatRfc5322(1796117400), "Tue, 01 Dec 2026 09:30:00 +0000");
  EXPECT_EQ(parseRfc3339("2026-12-01T06:48:56Z"), 1796107736);
  EXPECT_EQ(parseRfc3339("2026-12-01T08:48:56+02:00"), 1796107736);
  EXPECT_EQ(parseRfc3339("nope"), -1);
}

}  // namespace
}  // namespace mailjuke
