#include "base/crypto.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <cstdio>
#include <stdexcept>

#include "base/encoding.h"

namespace mailjuke::crypto {

void init() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

std::string randomBytes(size_t n) {
  std::string out(n, '\0');
  randombytes_buf(out.data(), n);
  return out;
}

std::string randomToken(size_t bytes) { return base64UrlEncode(randomBytes(bytes)); }

uint32_t randomUniform(uint32_t bound) { return randombytes_uniform(bound); }

std::string sha256(std::string_view data) {
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()),
                     reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return out;
}

std::string sha256Hex(std::string_view data) { return hexEncode(sha256(data)); }

namespace {
std::string hmacWith(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}
}  // namespace

std::string hmacSha256(std::string_view key, std::string_view data) {
  return hmacWith(EVP_sha256(), key, data);
}

std::string hmacSha1(std::string_view key, std::string_view data) {
  return hmacWith(EVP_sha1(), key, data);
}

bool constantTimeEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string hashPassword(std::string_view password, PasswordCost cost) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), cost.ops, cost.mem_bytes,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("out of memory hashing a password");
  return out;
}

bool verifyPassword(std::string_view encoded_hash, std::string_view password) {
  std::string h(encoded_hash);
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

std::string seal(std::string_view key, std::string_view plaintext) {
  std::string buf(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(buf.data());
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        nonce, reinterpret_cast<const unsigned char*>(key.data()));
  return base64Encode(buf);
}

std::optional<std::string> open(std::string_view key, std::string_view sealed_b64) {
  auto raw = base64Decode(sealed_b64);
  if (!raw || raw->size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES ||
      key.size() != crypto_secretbox_KEYBYTES)
    return std::nullopt;
  const auto* nonce = reinterpret_cast<const unsigned char*>(raw->data());
  size_t clen = raw->size() - crypto_secretbox_NONCEBYTES;
  std::string out(clen - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(out.data()),
                                 nonce + crypto_secretbox_NONCEBYTES, clen, nonce,
                                 reinterpret_cast<const unsigned char*>(key.data())) != 0)
    return std::nullopt;
  return out;
}

std::string totpCode(std::string_view secret, int64_t step) {
  unsigned char msg[8];
  for (int i = 7; i >= 0; --i) {
    msg[i] = static_cast<unsigned char>(step & 0xff);
    step >>= 8;
  }
  std::string mac = hmacSha1(secret, std::string_view(reinterpret_cast<char*>(msg), 8));
  int offset = mac[19] & 0x0f;  // RFC 4226 §5.3 dynamic truncation
  uint32_t bin = ((uint8_t(mac[offset]) & 0x7f) << 24) | (uint8_t(mac[offset + 1]) << 16) |
                 (uint8_t(mac[offset + 2]) << 8) | uint8_t(mac[offset + 3]);
  char buf[8];
  std::snprintf(buf, sizeof buf, "%06u", bin % 1000000);
  return buf;
}

}  // namespace mailjuke::crypto
