// Where a domain's mail goes (RFC 5321 §5.1): MX hosts in preference order, the domain itself
// as an implicit MX when it has none, RFC 7505 null MX as a permanent failure; a configured
// relay replaces all of it. Blocking (DNS): worker pool only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/mailauth/resolver.h"

namespace mailjuke::delivery {

struct RouteHost {
  std::string name;                    // MX host name (or the relay)
  std::vector<std::string> addresses;  // IPv4 then IPv6 text
  uint16_t port = 25;
};

struct Route {
  enum class Kind { kOk, kPermanent, kTemporary } kind = Kind::kOk;
  std::vector<RouteHost> hosts;  // kOk: in the order to try
  std::string error;             // otherwise: an SMTP-style reply for the DSN / last_error
};

// `relay` is "host:port" or "" (then `port` is the destination port).
Route resolveRoute(core::mailauth::Resolver& resolver, const std::string& domain,
                   const std::string& relay, uint16_t port);

}  // namespace mailjuke::delivery
