// Web forwarding: host name → forward_url for domains with forwarding on (the apex and www.),
// held in memory and reloaded only when zone_state.version moves, so the HTTP server can
// answer redirects without touching the database per request.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/domains/domain_service.h"

namespace mailjuke::core {

class ForwardMap {
 public:
  using Map = std::unordered_map<std::string, std::string>;
  // `own_host`: the platform's own host name, never forwarded.
  explicit ForwardMap(std::string own_host = "") : own_host_(std::move(own_host)) {}

  // The forward URL for a Host header value (port stripped, case-insensitive), if any.
  std::optional<std::string> lookup(std::string_view host_header) const;
  // Reloads from the database when the zone version changed since the last load.
  Status refresh(DomainService& domains);
  void install(Map map);

 private:
  std::string own_host_;
  int64_t version_ = -1;
  mutable std::mutex mu_;
  std::shared_ptr<const Map> map_ = std::make_shared<const Map>();
};

// "host[:port]" → lower-case host without port or trailing dot; "" for IPv6 literals.
std::string hostOnly(std::string_view host_header);

}  // namespace mailjuke::core
