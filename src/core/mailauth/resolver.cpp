// The stub resolver over core::dnsQuery (one server, UDP with TCP on truncation).
#include "core/mailauth/resolver.h"

#include <arpa/inet.h>

#include <algorithm>

#include "core/domains/dns_client.h"
#include "proto/dns/name.h"
#include "proto/dns/types.h"

namespace mailjuke::core::mailauth {
namespace {

class StubResolver : public Resolver {
 public:
  StubResolver(std::string server, std::chrono::milliseconds timeout)
      : server_(std::move(server)), timeout_(timeout) {}

  Lookup<std::string> txt(const std::string& name) override {
    return query<std::string>(name, dns::RrType::kTxt,
                              [](std::string_view rdata, std::string& out) {
                                out = txtJoined(rdata);  // RFC 7208 §3.3, RFC 6376 §3.6.2.2
                                return true;
                              });
  }
  Lookup<std::string> a(const std::string& name) override {
    return query<std::string>(name, dns::RrType::kA, [](std::string_view rdata, std::string& out) {
      return address(AF_INET, rdata, 4, out);
    });
  }
  Lookup<std::string> aaaa(const std::string& name) override {
    return query<std::string>(
        name, dns::RrType::kAaaa,
        [](std::string_view rdata, std::string& out) { return address(AF_INET6, rdata, 16, out); });
  }
  Lookup<MxHost> mx(const std::string& name) override {
    auto out = query<MxHost>(name, dns::RrType::kMx, [](std::string_view rdata, MxHost& mx) {
      if (rdata.size() < 3) return false;
      mx.preference = uint16_t((uint8_t(rdata[0]) << 8) | uint8_t(rdata[1]));
      auto host = dns::Name::fromWire(rdata.substr(2));
      if (!host) return false;
      mx.host = host->toString();
      if (!mx.host.empty() && mx.host.back() == '.') mx.host.pop_back();  // "." → "" (RFC 7505)
      return true;
    });
    std::stable_sort(out.values.begin(), out.values.end(),
                     [](const MxHost& x, const MxHost& y) { return x.preference < y.preference; });
    return out;
  }

 private:
  static bool address(int family, std::string_view rdata, size_t size, std::string& out) {
    if (rdata.size() != size) return false;
    char buf[INET6_ADDRSTRLEN];
    if (!inet_ntop(family, rdata.data(), buf, sizeof buf)) return false;
    out = buf;  // glibc prints IPv6 in the RFC 5952 form
    return true;
  }

  template <class T, class Decode>
  Lookup<T> query(const std::string& name, uint16_t type, Decode decode) {
    Lookup<T> out;
    std::string fqdn = name;
    if (fqdn.empty() || fqdn.back() != '.') fqdn += '.';
    if (!dns::Name::parse(fqdn)) {  // not a valid domain name: nothing can exist there
      out.status = LookupStatus::kNxDomain;
      return out;
    }
    auto answer = dnsQuery(server_, fqdn, type, timeout_);
    if (!answer) {
      out.status = LookupStatus::kTempFail;
      return out;
    }
    if (answer->rcode == dns::Rcode::kNxDomain) {
      out.status = LookupStatus::kNxDomain;
      return out;
    }
    if (answer->rcode != 0) {  // SERVFAIL, REFUSED, ...: try again later
      out.status = LookupStatus::kTempFail;
      return out;
    }
    for (const auto& r : answer->answers) {
      T value{};
      if (decode(std::string_view(r.rdata), value)) out.values.push_back(std::move(value));
    }
    if (out.values.empty()) out.status = LookupStatus::kNoData;
    return out;
  }

  const std::string server_;
  const std::chrono::milliseconds timeout_;
};

}  // namespace

std::unique_ptr<Resolver> makeStubResolver(std::string server, std::chrono::milliseconds timeout) {
  return std::make_unique<StubResolver>(std::move(server), timeout);
}

}  // namespace mailjuke::core::mailauth
