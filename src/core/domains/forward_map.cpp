#include "core/domains/forward_map.h"

namespace mailjuke::core {

std::string hostOnly(std::string_view h) {
  if (h.empty() || h.front() == '[') return "";
  if (auto colon = h.find(':'); colon != std::string_view::npos) h = h.substr(0, colon);
  std::string out(h);
  for (auto& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

std::optional<std::string> ForwardMap::lookup(std::string_view host_header) const {
  std::string host = hostOnly(host_header);
  if (host.empty() || host == own_host_) return std::nullopt;
  std::shared_ptr<const Map> map;
  {
    std::lock_guard lk(mu_);
    map = map_;
  }
  if (map->empty()) return std::nullopt;
  if (auto it = map->find(host); it != map->end()) return it->second;
  if (host.rfind("www.", 0) == 0)
    if (auto it = map->find(host.substr(4)); it != map->end()) return it->second;
  return std::nullopt;
}

void ForwardMap::install(Map map) {
  auto p = std::make_shared<const Map>(std::move(map));
  std::lock_guard lk(mu_);
  map_ = std::move(p);
}

Status ForwardMap::refresh(DomainService& domains) {
  MJ_TRY_ASSIGN(int64_t version, domains.zonesVersion());
  if (version == version_) return {};
  MJ_TRY_ASSIGN(auto targets, domains.forwardTargets());
  install(std::move(targets.second));
  version_ = targets.first;
  return {};
}

}  // namespace mailjuke::core
