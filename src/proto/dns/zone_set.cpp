#include "proto/dns/zone_set.h"

#include <cstring>
#include <unordered_set>

namespace mailjuke::dns {

uint32_t ZoneSet::hashName(const uint8_t* p, size_t n) {
  // FNV-1a: short keys, one pass; the table is private so no adversarial-collision concern
  // beyond slightly longer probes.
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 16777619u;
  return h;
}

const ZoneSet::Node* ZoneSet::find(const uint8_t* key, size_t length, uint32_t hash) const {
  if (slots_.empty()) return nullptr;
  const size_t mask = slots_.size() - 1;
  for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
    const uint64_t entry = slots_[slot];
    if (entry == 0) return nullptr;
    if (static_cast<uint32_t>(entry >> 32) != hash) continue;
    const Node& n = nodes_[static_cast<uint32_t>(entry) - 1];
    if (n.key_length == length && std::memcmp(keys_.data() + n.key_offset, key, length) == 0)
      return &n;
  }
}

int ZoneSet::findZone(const Name& origin) const {
  for (size_t i = 0; i < zones_.size(); ++i)
    if (zones_[i].origin == origin) return static_cast<int>(i);
  return -1;
}

size_t ZoneSet::encodedBytes() const {
  return nodes_.size() * sizeof(Node) + slots_.size() * sizeof(uint64_t) + keys_.size() +
         tails_.size() * sizeof(Tail) + bytes_.size() + patches_.size() * 2 +
         type_tails_.size() * sizeof(TypeTail);
}

Result<std::shared_ptr<const ZoneSet>> ZoneSet::fromRecords(const std::vector<ZoneInput>& in,
                                                            std::vector<Error>* rejected) {
  std::vector<Zone> zones;
  zones.reserve(in.size());
  std::unordered_set<std::string> origins;
  for (const auto& z : in) {
    auto zone = buildZone(z.origin, z.records);
    if (zone && !origins.insert(zone->origin.lower().wire()).second)
      zone = Error::make(ErrorCode::kConflict, "zone defined twice");
    if (!zone) {
      Error e = std::move(zone).error();
      e.message = z.origin + ": " + e.message;
      if (!rejected) return e;
      rejected->push_back(std::move(e));
      continue;
    }
    zones.push_back(std::move(*zone));
  }
  return build(std::move(zones));
}

std::shared_ptr<const ZoneSet> ZoneSet::empty() {
  static const std::shared_ptr<const ZoneSet> kEmpty(new ZoneSet());
  return kEmpty;
}

SnapshotHolder::SnapshotHolder(std::shared_ptr<const ZoneSet> initial)
    : current_(initial ? std::move(initial) : ZoneSet::empty()) {}

std::shared_ptr<const ZoneSet> SnapshotHolder::get() const {
  std::lock_guard lock(mutex_);
  return current_;
}

void SnapshotHolder::install(std::shared_ptr<const ZoneSet> snapshot) {
  if (!snapshot) snapshot = ZoneSet::empty();
  std::lock_guard order(listeners_mutex_);
  std::shared_ptr<const ZoneSet> previous;
  {
    std::lock_guard lock(mutex_);
    previous = std::exchange(current_, snapshot);
  }
  version_.fetch_add(1, std::memory_order_acq_rel);
  for (auto& [id, listener] : listeners_) listener(previous, snapshot);
}

int SnapshotHolder::addListener(Listener listener) {
  std::lock_guard lock(listeners_mutex_);
  listeners_.emplace_back(next_listener_, std::move(listener));
  return next_listener_++;
}

void SnapshotHolder::removeListener(int id) {
  std::lock_guard lock(listeners_mutex_);
  std::erase_if(listeners_, [id](const auto& e) { return e.first == id; });
}

}  // namespace mailjuke::dns
