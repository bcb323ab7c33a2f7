// ZoneSet: an immutable snapshot of every served zone, built once and then read without locks.
// Building pre-encodes each possible answer fragment ("tail": answer, authority and additional
// sections, compressed against a question at offset 12), so answering a query is a hash lookup
// plus a copy. SnapshotHolder publishes the current ZoneSet to the network threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/result.h"
#include "proto/dns/zone.h"

namespace mailjuke::dns {

// A zone as the API stores it (see buildZone()).
struct ZoneInput {
  std::string origin;
  std::vector<RecordText> records;
};

class ZoneSet {
 public:
  // Validates every zone (validateZone()) and pre-encodes the answers. Zones may nest (a child
  // zone hides the parent's data at and below its apex); two zones with one origin are an error.
  static Result<std::shared_ptr<const ZoneSet>> build(std::vector<Zone> zones);
  // Same, from zones given as API records. With `rejected`, a zone that fails to build (or
  // repeats an origin) is left out and its error appended there, so one bad zone cannot stop
  // the others from being served; without it, the first error fails the whole build.
  static Result<std::shared_ptr<const ZoneSet>> fromRecords(const std::vector<ZoneInput>& zones,
                                                            std::vector<Error>* rejected = nullptr);
  static std::shared_ptr<const ZoneSet> empty();

  const std::vector<Zone>& zones() const { return zones_; }
  // Index into zones() of the zone whose origin is exactly `origin`, or -1.
  int findZone(const Name& origin) const;

  // ---- Engine interface: used by the answer engine (answer.cpp), not by callers. ----
  // A pre-encoded response fragment: the sections after the question. Compression pointers in
  // it assume the question name starts at offset 12 and ends with the `anchor_length`-octet
  // anchor name; for a longer query name every pointer in `patches` is shifted by the difference.
  struct Tail {
    uint32_t offset = 0;  // into bytes()
    uint16_t size = 0;
    uint16_t size_without_additional = 0;
    uint16_t an = 0, ns = 0, ar = 0;
    uint16_t rcode = 0;
    uint16_t anchor_length = 0;
    bool aa = true;
    bool additional_required = false;           // referral glue: set TC rather than drop it
    uint32_t patch_begin = 0, patch_count = 0;  // into patches()
  };
  enum class NodeKind : uint8_t { kAuth, kDelegation, kOccluded };
  struct TypeTail {
    uint16_t type;
    uint32_t tail;
  };
  struct Node {
    uint32_t hash = 0;
    uint32_t key_offset = 0;  // lowercase wire name in keys()
    uint16_t key_length = 0;
    NodeKind kind = NodeKind::kAuth;
    uint32_t zone = 0;
    uint32_t types_begin = 0, types_count = 0;  // into typeTails()
    uint32_t default_tail = 0;                  // NODATA template, or the referral
    uint32_t below_tail = 0;   // for missing names below: NXDOMAIN template, or the referral
    uint32_t nodata_tail = 0;  // the zone's NODATA template (DS at a delegation point)
  };

  static uint32_t hashName(const uint8_t* lower_wire, size_t length);
  // Exact match of a lowercase wire name, or nullptr.
  const Node* find(const uint8_t* lower_wire, size_t length, uint32_t hash) const;
  const Tail& tail(uint32_t index) const { return tails_[index]; }
  const uint8_t* bytes() const { return reinterpret_cast<const uint8_t*>(bytes_.data()); }
  const uint16_t* patches() const { return patches_.data(); }
  const TypeTail* typeTails() const { return type_tails_.data(); }
  uint32_t zoneApexTail(uint32_t zone) const { return apex_soa_tail_[zone]; }

  // Bytes held by the pre-encoded data (for memory reporting).
  size_t encodedBytes() const;

 private:
  friend class ZoneSetBuilder;
  ZoneSet() = default;

  std::vector<Zone> zones_;
  std::vector<Node> nodes_;
  // Open addressing, linear probing: (hash << 32) | (node index + 1), 0 = empty. The hash in the
  // slot lets a probe skip non-matching nodes without touching them (one cache miss less).
  std::vector<uint64_t> slots_;
  std::string keys_;
  std::vector<Tail> tails_;
  std::string bytes_;
  std::vector<uint16_t> patches_;
  std::vector<TypeTail> type_tails_;
  std::vector<uint32_t> apex_soa_tail_;  // per zone: the positive SOA answer at the apex
};

// Holds the current snapshot. get() is safe from any thread; install() swaps atomically and
// tells listeners (old, new) on the installing thread. Network threads may poll version() (one
// relaxed atomic load) and re-get() only when it changed, which keeps the shared_ptr reference
// count off the per-query path.
class SnapshotHolder {
 public:
  using Listener = std::function<void(const std::shared_ptr<const ZoneSet>& previous,
                                      const std::shared_ptr<const ZoneSet>& current)>;

  explicit SnapshotHolder(std::shared_ptr<const ZoneSet> initial = ZoneSet::empty());

  std::shared_ptr<const ZoneSet> get() const;
  uint64_t version() const { return version_.load(std::memory_order_acquire); }
  void install(std::shared_ptr<const ZoneSet> snapshot);

  int addListener(Listener listener);
  void removeListener(int id);

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const ZoneSet> current_;
  std::atomic<uint64_t> version_{1};
  std::mutex listeners_mutex_;  // also serialises install() so listeners see installs in order
  std::vector<std::pair<int, Listener>> listeners_;
  int next_listener_ = 1;
};

}  // namespace mailjuke::dns
