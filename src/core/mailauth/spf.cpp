// SPF check_host() (RFC 7208 §4-§6) over the Resolver interface.
#include <arpa/inet.h>

#include <algorithm>

#include "base/encoding.h"
#include "core/mailauth/spf_dmarc.h"
#include "core/mailauth/spf_macro.h"
#include "core/mailauth/spf_record.h"
#include "core/mailauth/tag_list.h"

namespace mailjuke::core::mailauth {
namespace {

constexpr int kMaxDnsMechanisms = 10;  // §4.6.4
constexpr int kMaxVoidLookups = 2;     // §4.6.4
constexpr size_t kMaxMxHosts = 10;     // §4.6.4: at most 10 address lookups per mx

struct Outcome {
  std::string result;  // "" = no match (mechanisms only)
  std::string reason;
};

struct Check {
  Resolver& dns;
  std::string ip;  // 4 or 16 octets
  SpfMacroContext ctx;
  int lookups = 0;
  int voids = 0;
};

const char* qualifierResult(char q) {
  switch (q) {
    case '-':
      return "fail";
    case '~':
      return "softfail";
    case '?':
      return "neutral";
    default:
      return "pass";
  }
}

bool inNetwork(std::string_view ip, std::string_view net, int bits) {
  if (ip.size() != net.size()) return false;
  for (int i = 0; i < bits; ++i) {
    int byte = i / 8, mask = 0x80 >> (i % 8);
    if ((uint8_t(ip[byte]) & mask) != (uint8_t(net[byte]) & mask)) return false;
  }
  return true;
}

bool matchesAddress(const Check& c, const std::string& text, int cidr4, int cidr6) {
  unsigned char buf[16];
  bool v6 = c.ip.size() == 16;
  if (inet_pton(v6 ? AF_INET6 : AF_INET, text.c_str(), buf) != 1) return false;
  return inNetwork(c.ip, std::string_view(reinterpret_cast<char*>(buf), c.ip.size()),
                   v6 ? cidr6 : cidr4);
}

// §4.3: a multi-label name with labels of 1..63 octets.
bool validDomain(const std::string& d) {
  if (d.empty() || d.size() > 253 || d.find('.') == std::string::npos) return false;
  size_t start = 0;
  for (;;) {
    size_t dot = d.find('.', start);
    size_t len = (dot == std::string::npos ? d.size() : dot) - start;
    if (len == 0 || len > 63) return false;
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

// §4.6.4: counts a lookup that returned no answers; more than two is a permerror.
template <class T>
bool voidLimitHit(Check& c, const Lookup<T>& l) {
  if (l.status != LookupStatus::kNxDomain && l.status != LookupStatus::kNoData) return false;
  return ++c.voids > kMaxVoidLookups;
}

Lookup<std::string> addressesOf(Check& c, const std::string& name) {
  return c.ip.size() == 16 ? c.dns.aaaa(name) : c.dns.a(name);
}

Outcome checkHost(Check& c, const std::string& domain);

Outcome evaluate(Check& c, const SpfMechanism& m) {
  const Outcome no_match{};
  const Outcome match{qualifierResult(m.qualifier), "matched " + m.text};
  if (m.kind == SpfKind::kAll) return match;               // §5.1
  if (m.kind == SpfKind::kIp4 || m.kind == SpfKind::kIp6)  // §5.6
    return inNetwork(c.ip, m.network, m.kind == SpfKind::kIp4 ? m.cidr4 : m.cidr6) ? match
                                                                                   : no_match;
  // The rest query DNS and count towards the limit (§4.6.4).
  if (++c.lookups > kMaxDnsMechanisms) return {"permerror", "more than 10 DNS lookups"};
  std::string target = c.ctx.domain;
  if (!m.domain_spec.empty()) {
    auto expanded = expandDomainSpec(m.domain_spec, c.ctx);
    if (!expanded) return {"permerror", expanded.error().message};
    target = toLowerAscii(*expanded);
  }
  switch (m.kind) {
    case SpfKind::kInclude: {  // §5.2 table
      Outcome r = checkHost(c, target);
      if (r.result == "pass") return {match.result, "matched " + m.text + ": " + r.reason};
      if (r.result == "temperror" || r.result == "permerror") return r;
      if (r.result == "none") return {"permerror", "included domain " + target + " has no SPF"};
      return no_match;
    }
    case SpfKind::kA: {  // §5.3
      auto l = addressesOf(c, target);
      if (l.status == LookupStatus::kTempFail) return {"temperror", "DNS failure for " + target};
      if (voidLimitHit(c, l)) return {"permerror", "more than 2 void lookups"};
      for (const auto& addr : l.values)
        if (matchesAddress(c, addr, m.cidr4, m.cidr6)) return match;
      return no_match;
    }
    case SpfKind::kMx: {  // §5.4
      auto l = c.dns.mx(target);
      if (l.status == LookupStatus::kTempFail) return {"temperror", "DNS failure for " + target};
      if (voidLimitHit(c, l)) return {"permerror", "more than 2 void lookups"};
      if (l.values.size() > kMaxMxHosts) return {"permerror", "more than 10 MX hosts"};
      for (const auto& mx : l.values) {
        if (mx.host.empty()) continue;  // null MX (RFC 7505)
        auto addrs = addressesOf(c, mx.host);
        if (addrs.status == LookupStatus::kTempFail)
          return {"temperror", "DNS failure for " + mx.host};
        for (const auto& addr : addrs.values)
          if (matchesAddress(c, addr, m.cidr4, m.cidr6)) return match;
      }
      return no_match;
    }
    case SpfKind::kExists: {  // §5.7: an A query whatever the client's address family
      auto l = c.dns.a(target);
      if (l.status == LookupStatus::kTempFail) return {"temperror", "DNS failure for " + target};
      if (voidLimitHit(c, l)) return {"permerror", "more than 2 void lookups"};
      return l.values.empty() ? no_match : match;
    }
    case SpfKind::kPtr:
      // §5.5 ("SHOULD NOT be published"): the Resolver has no PTR lookups, so ptr never
      // matches; it still counts towards the lookup limit.
      return no_match;
    default:
      return no_match;
  }
}

Outcome checkHost(Check& c, const std::string& domain) {
  if (!validDomain(domain)) return {"none", "invalid domain " + domain};  // §4.3
  auto txt = c.dns.txt(domain);
  if (txt.status == LookupStatus::kTempFail) return {"temperror", "DNS failure for " + domain};
  // §4.5 record selection: exactly one "v=spf1" record.
  const std::string* record = nullptr;
  for (const auto& t : txt.values) {
    if (!isSpfRecord(t)) continue;
    if (record) return {"permerror", "more than one SPF record at " + domain};
    record = &t;
  }
  if (!record) return {"none", "no SPF record at " + domain};
  auto parsed = parseSpfRecord(*record);
  if (!parsed) return {"permerror", domain + ": " + parsed.error().message};  // §4.6
  std::string saved = c.ctx.domain;
  c.ctx.domain = domain;
  Outcome out;
  for (const auto& m : parsed->mechanisms) {
    out = evaluate(c, m);
    if (!out.result.empty()) break;
  }
  if (out.result.empty() && parsed->redirect) {  // §6.1: only when nothing matched
    if (++c.lookups > kMaxDnsMechanisms) {
      out = {"permerror", "more than 10 DNS lookups"};
    } else if (auto target = expandDomainSpec(*parsed->redirect, c.ctx); !target) {
      out = {"permerror", target.error().message};
    } else {
      out = checkHost(c, toLowerAscii(*target));
      if (out.result == "none") out = {"permerror", "redirect to " + *target + " has no SPF"};
    }
  }
  if (out.result.empty()) out = {"neutral", "no mechanism matched at " + domain};  // §4.7
  c.ctx.domain = saved;
  return out;
}

// §7.3 %{i} for IPv6: 32 nibbles separated by dots.
std::string dottedNibbles(std::string_view ip16) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : ip16) {
    if (!out.empty()) out += '.';
    out += kHex[b >> 4];
    out += '.';
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace

SpfVerdict checkSpf(const std::string& ip, const std::string& helo, const std::string& mail_from,
                    Resolver& resolver) {
  SpfVerdict v;
  std::string from = mail_from;
  if (from.size() >= 2 && from.front() == '<' && from.back() == '>')
    from = from.substr(1, from.size() - 2);
  SpfMacroContext ctx;
  ctx.helo = helo;
  if (from.empty()) {  // §2.4: the null sender is checked as postmaster@<HELO>
    from = "postmaster@" + helo;
    v.identity = "helo";
  }
  size_t at = from.rfind('@');
  ctx.local_part = at == std::string::npos ? "" : from.substr(0, at);
  if (ctx.local_part.empty()) ctx.local_part = "postmaster";  // §4.3
  std::string domain = toLowerAscii(at == std::string::npos ? from : from.substr(at + 1));
  if (!domain.empty() && domain.back() == '.') domain.pop_back();
  ctx.sender = ctx.local_part + "@" + domain;
  ctx.sender_domain = domain;
  ctx.domain = domain;
  v.domain = domain;

  unsigned char buf[16];
  std::string addr;
  if (inet_pton(AF_INET, ip.c_str(), buf) == 1) {
    addr.assign(reinterpret_cast<char*>(buf), 4);
  } else if (inet_pton(AF_INET6, ip.c_str(), buf) == 1) {
    addr.assign(reinterpret_cast<char*>(buf), 16);
    static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(kMapped, kMapped + 12, buf)) addr = addr.substr(12);  // §5: IPv4-mapped
  } else {
    v.result = "permerror";
    v.reason = "invalid client address " + ip;
    return v;
  }
  ctx.ipv6 = addr.size() == 16;
  if (ctx.ipv6) {
    ctx.ip = dottedNibbles(addr);
  } else {
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, addr.data(), text, sizeof text);
    ctx.ip = text;
  }
  Check c{resolver, addr, ctx};
  Outcome out = checkHost(c, domain);
  v.result = out.result;
  v.reason = out.reason;
  return v;
}

}  // namespace mailjuke::core::mailauth
