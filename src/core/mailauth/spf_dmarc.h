// SPF (RFC 7208) check_host() and DMARC (RFC 7489) evaluation, and the Authentication-Results
// header (RFC 8601) that records them. The results never block delivery at this stage.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/mailauth/dkim.h"
#include "core/mailauth/resolver.h"

namespace mailjuke::core::mailauth {

struct SpfVerdict {
  std::string result;  // pass | fail | softfail | neutral | none | temperror | permerror
  std::string domain;  // the domain checked (MAIL FROM domain, or HELO for the null sender)
  std::string reason;
  std::string identity = "mailfrom";  // "mailfrom", or "helo" for the null sender (RFC 7208 §2.4)
};

// RFC 7208 §4: `ip` is the client's address (IPv4 or IPv6 text), `helo` its EHLO name,
// `mail_from` the envelope sender ("" for the null sender → checks postmaster@helo).
SpfVerdict checkSpf(const std::string& ip, const std::string& helo, const std::string& mail_from,
                    Resolver& resolver);

struct DmarcVerdict {
  std::string result;       // pass | fail | none | temperror | permerror
  std::string header_from;  // RFC5322.From domain
  std::string policy;       // none | quarantine | reject (p=, or sp= for subdomains), "" when none
  std::string reason;       // human-readable detail (which identifier aligned, or why not)
  int pct = 100;            // pct= (RFC 7489 §6.3), recorded only
};

// RFC 7489 §3.1 alignment (relaxed unless aspf/adkim=s) with the organisational domain from the
// public suffix list; §6.6.3 policy discovery.
DmarcVerdict checkDmarc(const std::string& header_from_domain, const SpfVerdict& spf,
                        const std::vector<DkimVerdict>& dkim, Resolver& resolver);

// "Authentication-Results: <authserv_id>; spf=...; dkim=...; dmarc=...\r\n" (RFC 8601).
std::string authenticationResults(const std::string& authserv_id, const SpfVerdict& spf,
                                  const std::vector<DkimVerdict>& dkim, const DmarcVerdict& dmarc);
// "Authentication-Results: <authserv_id>;\r\n\tauth=pass smtp.auth=<user>\r\n" for a message
// submitted by an authenticated mailbox (RFC 8601 §2.7.4).
std::string submissionAuthResults(const std::string& authserv_id, const std::string& user);

}  // namespace mailjuke::core::mailauth
