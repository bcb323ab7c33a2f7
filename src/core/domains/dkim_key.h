// DKIM signing keys (RFC 6376): RSA-2048 generated per domain; the private key is sealed at rest
// by the caller; the public key is published as "v=DKIM1; k=rsa; p=<base64 SPKI>".
#pragma once

#include <string>

#include "base/result.h"

namespace mailjuke::core {

struct DkimKeyPair {
  std::string private_pem;
  std::string public_b64;  // base64 of the DER SubjectPublicKeyInfo
};

Result<DkimKeyPair> generateDkimKey(int bits = 2048);
std::string dkimTxtValue(const std::string& public_b64);

}  // namespace mailjuke::core
