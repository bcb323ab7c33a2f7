// DKIM public key records (RFC 6376 §3.6.1) and their retrieval (§3.6.2.2, §6.1.2).
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "core/mailauth/resolver.h"

namespace mailjuke::core::mailauth {

struct DkimKey {
  std::string result;  // "" when usable, else the RFC 8601 verdict (temperror | permerror)
  std::string reason;
  std::string public_der;      // p= decoded
  bool strict_domain = false;  // t=s: i= must not be a subdomain of d=
  bool testing = false;        // t=y
};

// Parses one record's text (already joined from its character-strings).
DkimKey parseDkimKey(std::string_view record);

// Fetches and parses <selector>._domainkey.<domain> TXT. DNS failure → temperror; no record →
// permerror; the first record that parses wins when several are published.
DkimKey fetchDkimKey(Resolver& resolver, const std::string& selector, const std::string& domain);

}  // namespace mailjuke::core::mailauth
