#include "server/delivery/mx_route.h"

#include <arpa/inet.h>

namespace mailjuke::delivery {
namespace {

using core::mailauth::LookupStatus;

bool isIpLiteral(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// A and AAAA of one host; `nx` is set when neither exists (NXDOMAIN / no data on both).
std::vector<std::string> addressesOf(core::mailauth::Resolver& r, const std::string& host,
                                     bool& temp, bool& nx) {
  if (isIpLiteral(host)) return {host};
  std::vector<std::string> out;
  auto a = r.a(host);
  auto aaaa = r.aaaa(host);
  for (auto* l : {&a, &aaaa}) {
    if (l->status == LookupStatus::kOk) out.insert(out.end(), l->values.begin(), l->values.end());
    if (l->status == LookupStatus::kTempFail) temp = true;
  }
  nx = a.status == LookupStatus::kNxDomain && aaaa.status != LookupStatus::kOk;
  return out;
}

}  // namespace

Route resolveRoute(core::mailauth::Resolver& resolver, const std::string& domain,
                   const std::string& relay, uint16_t port) {
  Route route;
  if (!relay.empty()) {
    auto colon = relay.rfind(':');
    RouteHost h;
    h.name = colon == std::string::npos ? relay : relay.substr(0, colon);
    h.port =
        colon == std::string::npos ? 25 : static_cast<uint16_t>(std::stoi(relay.substr(colon + 1)));
    bool temp = false, nx = false;
    h.addresses = addressesOf(resolver, h.name, temp, nx);
    if (h.addresses.empty()) {
      route.kind = Route::Kind::kTemporary;
      route.error = "451 4.4.3 relay " + h.name + " has no address";
      return route;
    }
    route.hosts.push_back(std::move(h));
    return route;
  }
  auto mx = resolver.mx(domain);
  std::vector<std::string> names;
  bool implicit = false;
  switch (mx.status) {
    case LookupStatus::kTempFail:
      route.kind = Route::Kind::kTemporary;
      route.error = "451 4.4.3 MX lookup for " + domain + " failed";
      return route;
    case LookupStatus::kNxDomain:
    case LookupStatus::kNoData:
      implicit = true;  // §5.1: the domain is its own implicit MX
      names.push_back(domain);
      break;
    case LookupStatus::kOk:
      // RFC 7505 §3: a single MX with an empty host ("." ) means no mail accepted.
      if (mx.values.size() == 1 && mx.values[0].host.empty()) {
        route.kind = Route::Kind::kPermanent;
        route.error = "556 5.1.10 " + domain + " does not accept mail (null MX)";
        return route;
      }
      if (mx.values.empty()) {
        implicit = true;
        names.push_back(domain);
      }
      {
        auto values = mx.values;
        std::stable_sort(values.begin(), values.end(),
                         [](auto& x, auto& y) { return x.preference < y.preference; });
        for (auto& v : values)
          if (!v.host.empty()) names.push_back(v.host);
      }
      break;
  }
  bool any_temp = false, all_nx = true;
  for (const auto& n : names) {
    bool temp = false, nx = false;
    RouteHost h{n, addressesOf(resolver, n, temp, nx), port};
    any_temp |= temp;
    all_nx &= nx;
    if (!h.addresses.empty()) route.hosts.push_back(std::move(h));
  }
  if (route.hosts.empty()) {
    if (implicit && all_nx && !any_temp) {
      route.kind = Route::Kind::kPermanent;
      route.error = "550 5.1.2 domain " + domain + " does not exist";
    } else {
      route.kind = Route::Kind::kTemporary;
      route.error = "451 4.4.3 no address for the mail exchangers of " + domain;
    }
  }
  return route;
}

}  // namespace mailjuke::delivery
