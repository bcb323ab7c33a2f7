// Cryptographic primitives. Thread-safe. Call cryptoInit() once before use (main does).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mailjuke::crypto {

void init();

std::string randomBytes(size_t n);
// A URL-safe token carrying `bytes` of CSPRNG entropy.
std::string randomToken(size_t bytes = 32);
// Uniform integer in [0, bound).
uint32_t randomUniform(uint32_t bound);

std::string sha256(std::string_view data);  // raw 32 bytes
std::string sha256Hex(std::string_view data);
std::string hmacSha256(std::string_view key, std::string_view data);  // raw
std::string hmacSha1(std::string_view key, std::string_view data);    // raw
bool constantTimeEqual(std::string_view a, std::string_view b);

// Argon2id (libsodium crypto_pwhash), parameters at or above OWASP ASVS L2:
// t=2, m=19 MiB, p=1 by default. The returned string is the PHC-encoded hash.
struct PasswordCost {
  unsigned long long ops = 2;
  size_t mem_bytes = 19 * 1024 * 1024;
};
std::string hashPassword(std::string_view password, PasswordCost cost = {});
bool verifyPassword(std::string_view encoded_hash, std::string_view password);

// Authenticated encryption (XChaCha20-Poly1305 secretbox) with a 32-byte key.
// Output: nonce || ciphertext, base64 encoded.
std::string seal(std::string_view key, std::string_view plaintext);
std::optional<std::string> open(std::string_view key, std::string_view sealed_b64);

// RFC 6238 TOTP: 6 digits, 30 s step, HMAC-SHA-1.
std::string totpCode(std::string_view secret, int64_t step);

}  // namespace mailjuke::crypto
