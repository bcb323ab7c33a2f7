// RSA PKCS#1 v1.5 signing and verification for DKIM (RFC 6376 §3.3.1) over OpenSSL 3 EVP.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace mailjuke::core::mailauth {

// Signs `data` with SHA-256; `private_pem` is a PEM RSA private key (PKCS#8 or PKCS#1).
Result<std::string> rsaSha256Sign(std::string_view private_pem, std::string_view data);

struct RsaCheck {
  bool valid = false;  // the signature verified
  int key_bits = 0;
};

// Verifies `signature` over `data` (SHA-256) with the key from a DKIM key record's p= bytes:
// DER SubjectPublicKeyInfo (RFC 6376 §3.6.1), or a bare PKCS#1 RSAPublicKey as some signers
// publish. An unusable key is an error; a wrong signature is `valid == false`.
Result<RsaCheck> rsaSha256Verify(std::string_view public_der, std::string_view data,
                                 std::string_view signature);

}  // namespace mailjuke::core::mailauth
