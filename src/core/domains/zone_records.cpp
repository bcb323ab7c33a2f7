#include "core/domains/zone_records.h"

#include "core/domains/dkim_key.h"

namespace mailjuke::core {

std::vector<ZoneRecord> managedRecords(const DnsSettings& s, const DomainZoneData& d) {
  auto abs = [](const std::string& host) {
    return host.empty() || host.back() == '.' ? host : host + ".";
  };
  std::vector<ZoneRecord> out;
  auto add = [&](std::string id, std::string owner, std::string type, uint32_t ttl,
                 std::string rdata) {
    out.push_back(
        {"managed:" + id, true, {std::move(owner), std::move(type), ttl, std::move(rdata)}});
  };
  // SOA: serial bumped on every change (RFC 1035 §3.3.13); negative TTL 300 (RFC 2308).
  add("soa", "@", "SOA", 3600,
      abs(s.nameservers.front()) + " " + abs(s.hostmaster) + " " + std::to_string(d.serial) +
          " 3600 600 1209600 300");
  for (size_t i = 0; i < s.nameservers.size(); ++i)
    add("ns" + std::to_string(i + 1), "@", "NS", 86400, abs(s.nameservers[i]));
  add("mx", "@", "MX", 3600, "10 " + abs(s.mail_hostname));
  add("spf", "@", "TXT", 3600,
      s.spf_include.empty() ? "v=spf1 a:" + s.mail_hostname + " ~all"
                            : "v=spf1 include:" + s.spf_include + " ~all");
  for (const auto& [selector, pub] : d.dkim)
    add("dkim:" + selector, selector + "._domainkey", "TXT", 3600, dkimTxtValue(pub));
  add("dmarc", "_dmarc", "TXT", 3600,
      "v=DMARC1; p=" + d.dmarc_policy + "; rua=mailto:" + s.dmarc_rua);
  add("tracking", "track", "CNAME", 3600, abs(s.tracking_host));
  if (d.forwarding) {
    add("forward_a", "@", "A", 300, s.http_ipv4);
    add("forward_www_a", "www", "A", 300, s.http_ipv4);
    if (!s.http_ipv6.empty()) {
      add("forward_aaaa", "@", "AAAA", 300, s.http_ipv6);
      add("forward_www_aaaa", "www", "AAAA", 300, s.http_ipv6);
    }
  }
  return out;
}

}  // namespace mailjuke::core
