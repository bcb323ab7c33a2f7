// Restriction (Art. 18) and objection (Art. 21) as flags every processing module asks through
// one function, the marketing suppression list, and the pseudonyms erasure writes.
#pragma once

#include <string>

#include "core/context.h"

namespace mailjuke::core::privacy {

// What a module wants to do with a person's data beyond storage and legal claims.
enum class Purpose { kProductAnalytics, kMarketing, kConnectedTools };

struct ProcessingFlags {
  bool restricted = false;         // Art. 18: storage and legal claims only
  bool objects_analytics = false;  // Art. 21(1)
  bool objects_marketing = false;  // Art. 21(2), absolute
  bool analytics_consent = false;  // newest consent event for "analytics"
  bool marketing_consent = false;  // newest consent event for "marketing_email"
};

Result<ProcessingFlags> processingFlags(store::Tx& tx, const std::string& user_id);

// The one question modules ask before analytics, marketing or sharing with connected tools.
// Marketing also needs consent and a non-suppressed address; analytics needs consent (opt-in).
Result<bool> mayProcess(store::Tx& tx, const std::string& user_id, Purpose purpose);

// kind: "restriction" (purpose "all") or "objection" (purpose product_analytics | marketing).
Status setFlag(store::Tx& tx, const std::string& user_id, const std::string& kind,
               const std::string& purpose, int64_t now);
Status liftFlag(store::Tx& tx, const std::string& user_id, const std::string& kind,
                const std::string& purpose, int64_t now);

// The suppression list holds HMAC(secret, normalised address), never the address.
std::string addressHmac(const std::string& secret_key, const std::string& email);
Status suppress(store::Tx& tx, const std::string& secret_key, const std::string& email,
                const std::string& reason, int64_t now);
Result<bool> isSuppressed(store::Tx& tx, const std::string& secret_key, const std::string& email);

// A stable pseudonym for a value ("psn_" + 32 hex of an HMAC keyed from the secret key).
std::string pseudonym(const std::string& secret_key, const std::string& value);

// IPv4 /24 → "203.0.113.0/24", IPv6 /48 → "2001:db8:1::/48"; already truncated or not an IP:
// returned unchanged.
std::string truncateIp(const std::string& ip);

}  // namespace mailjuke::core::privacy
