// DKIM (RFC 6376): rsa-sha256 signing with relaxed/relaxed canonicalisation, and verification
// of every DKIM-Signature of an inbound message. Pure apart from the resolver.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "core/mailauth/resolver.h"

namespace mailjuke::core::mailauth {

struct DkimSigner {
  std::string domain;    // d=
  std::string selector;  // s=
  std::string private_pem;
};

// Headers signed when present (From is always signed), RFC 6376 §5.4.
extern const std::vector<std::string> kDkimSignedHeaders;

// The complete "DKIM-Signature: ...\r\n" field (folded) to prepend to `message` (CRLF line
// ends, header + empty line + body). `now` is t=.
Result<std::string> dkimSign(std::string_view message, const DkimSigner& signer, int64_t now);

struct DkimVerdict {
  std::string result;  // pass | fail | neutral | policy | temperror | permerror (RFC 8601 §2.7.1)
  std::string domain;  // d=
  std::string selector;
  std::string reason;  // human-readable detail when not pass
};

// One verdict per DKIM-Signature field (none when there are none).
std::vector<DkimVerdict> dkimVerify(std::string_view message, Resolver& resolver, int64_t now);

}  // namespace mailjuke::core::mailauth
