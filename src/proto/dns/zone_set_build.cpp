// Builds a ZoneSet: groups records into name nodes, finds delegation points, and pre-encodes
// every answer fragment (see zone_set.h).
#include <deque>
#include <map>
#include <set>
#include <unordered_map>

#include "proto/dns/wire.h"
#include "proto/dns/zone_set.h"

namespace mailjuke::dns {
namespace {

using Rrs = std::vector<const Record*>;
constexpr int kMaxChain = 8;

std::string lowerKey(std::string_view wire) {
  std::string k(wire);
  for (auto& c : k) c = static_cast<char>(lowerOctet(static_cast<uint8_t>(c)));
  return k;
}

// Offsets of each label start in a wire name (the last entry is the root label).
std::vector<size_t> labelStarts(std::string_view wire) {
  std::vector<size_t> starts;
  for (size_t p = 0;; p += 1 + static_cast<uint8_t>(wire[p])) {
    starts.push_back(p);
    if (wire[p] == 0) break;
  }
  return starts;
}

std::string_view targetOf(const Record& r) {
  std::string_view rd = r.rdata;
  switch (r.type) {
    case RrType::kNs:
    case RrType::kCname:
      return rd;
    case RrType::kMx:
      return rd.substr(2);
    case RrType::kSrv:
      return rd.substr(6);
    default:
      return {};
  }
}

}  // namespace

class ZoneSetBuilder {
 public:
  explicit ZoneSetBuilder(ZoneSet& set) : s_(set) {}

  Status run(std::vector<Zone> zones) {
    for (auto& z : zones) MJ_TRY(validateZone(z));
    s_.zones_ = std::move(zones);
    for (uint32_t i = 0; i < s_.zones_.size(); ++i) {
      std::string key = lowerKey(s_.zones_[i].origin.wire());
      if (!origins_.emplace(key, i).second)
        return Error::make(ErrorCode::kConflict,
                           "zone " + s_.zones_[i].origin.toString() + " defined twice");
    }
    collectNodes();
    findCuts();
    MJ_TRY(encodeAll());
    buildTable();
    return {};
  }

 private:
  struct BuildNode {
    std::string key;
    uint32_t zone = 0;
    std::map<uint16_t, Rrs> rrsets;
    ZoneSet::NodeKind kind = ZoneSet::NodeKind::kAuth;
    std::string cut;  // key of the governing delegation point
  };

  int deepestZone(const std::string& key) const {
    for (size_t p : labelStarts(key)) {
      auto it = origins_.find(key.substr(p));
      if (it != origins_.end()) return static_cast<int>(it->second);
    }
    return -1;
  }

  void collectNodes() {
    for (uint32_t z = 0; z < s_.zones_.size(); ++z) {
      const std::string apex = lowerKey(s_.zones_[z].origin.wire());
      for (const Record& r : s_.zones_[z].records) {
        std::string key = lowerKey(r.owner.wire());
        if (deepestZone(key) != static_cast<int>(z)) continue;  // hidden by a child zone
        auto& node = nodeFor(key, z);
        node.rrsets[r.type].push_back(&r);
        // Empty non-terminals exist too (RFC 8020): NODATA, not NXDOMAIN, below them.
        for (size_t p : labelStarts(key)) {
          if (key.size() - p <= apex.size()) break;
          nodeFor(key.substr(p), z);
        }
      }
    }
  }

  BuildNode& nodeFor(const std::string& key, uint32_t zone) {
    auto [it, inserted] = nodes_.try_emplace(key);
    if (inserted) {
      it->second.key = key;
      it->second.zone = zone;
      order_.push_back(key);
    }
    return it->second;
  }

  void findCuts() {
    for (auto& [key, node] : nodes_) {
      std::string apex = lowerKey(s_.zones_[node.zone].origin.wire());
      // The topmost NS owner strictly below the apex, at or above this node, governs it.
      auto starts = labelStarts(key);
      for (auto it = starts.rbegin(); it != starts.rend(); ++it) {
        if (key.size() - *it <= apex.size()) continue;
        auto found = nodes_.find(key.substr(*it));
        if (found != nodes_.end() && found->second.rrsets.count(RrType::kNs)) {
          node.cut = found->first;
          node.kind = (*it == 0) ? ZoneSet::NodeKind::kDelegation : ZoneSet::NodeKind::kOccluded;
          break;
        }
      }
    }
  }

  const BuildNode* lookup(std::string_view wire) const {
    auto it = nodes_.find(lowerKey(wire));
    return it == nodes_.end() ? nullptr : &it->second;
  }

  // A/AAAA for the targets of NS, MX and SRV records, from the same zone (RFC 1035 §3.3.9).
  Rrs additionalFor(const Rrs& rrset, uint32_t zone, bool glue) const {
    Rrs out;
    std::set<std::string> seen;
    for (const Record* r : rrset) {
      if (r->type != RrType::kNs && r->type != RrType::kMx && r->type != RrType::kSrv) continue;
      const BuildNode* n = lookup(targetOf(*r));
      if (!n || n->zone != zone || !seen.insert(n->key).second) continue;
      if (n->kind != ZoneSet::NodeKind::kAuth && !glue) continue;
      for (uint16_t t : {RrType::kA, RrType::kAaaa}) {
        auto it = n->rrsets.find(t);
        if (it != n->rrsets.end()) out.insert(out.end(), it->second.begin(), it->second.end());
      }
    }
    return out;
  }

  uint32_t encode(std::string_view anchor, bool relocatable, const Rrs& an, const Rrs& ns, Rrs ar,
                  uint16_t rcode, bool aa, bool additional_required) {
    WireWriter w;
    if (relocatable) w.setCompressionLimit(0x4000 - 256);
    w.bytes(std::string(12, '\0'));
    w.name(anchor, false);
    w.u32(0);
    const size_t base = w.size();
    auto put = [&](const Rrs& rrs) {
      for (const Record* r : rrs)
        writeRecord(w, r->owner.wire(), r->type, r->klass, r->ttl, r->rdata);
    };
    put(an);
    put(ns);
    const size_t without_additional = w.size() - base;
    put(ar);
    // Leave room for the question and an OPT record within 65535 octets.
    const size_t room = kMaxMessageSize - 12 - 259 - 11;
    if (w.size() - base > room) {
      w.truncate(base + without_additional);
      ar.clear();
    }
    if (without_additional > room) {
      error_ = "an RRset at " + Name::fromWire(anchor)->toString() + " exceeds 64 KiB";
      w.truncate(base);
    }
    ZoneSet::Tail t;
    t.offset = static_cast<uint32_t>(s_.bytes_.size());
    t.size = static_cast<uint16_t>(w.size() - base);
    t.size_without_additional =
        static_cast<uint16_t>(std::min(without_additional, w.size() - base));
    t.an = static_cast<uint16_t>(an.size());
    t.ns = static_cast<uint16_t>(ns.size());
    t.ar = static_cast<uint16_t>(ar.size());
    t.rcode = rcode;
    t.aa = aa;
    t.additional_required = additional_required && !ar.empty();
    t.anchor_length = static_cast<uint16_t>(anchor.size());
    s_.bytes_.append(w.buffer(), base, std::string::npos);
    if (relocatable) {
      t.patch_begin = static_cast<uint32_t>(s_.patches_.size());
      for (uint16_t p : w.pointerPositions())
        if (p >= base) s_.patches_.push_back(static_cast<uint16_t>(p - base));
      t.patch_count = static_cast<uint32_t>(s_.patches_.size() - t.patch_begin);
    }
    s_.tails_.push_back(t);
    return static_cast<uint32_t>(s_.tails_.size() - 1);
  }

  // RFC 2308 §3: the SOA in a negative answer carries min(SOA TTL, SOA MINIMUM).
  const Record* negativeSoa(uint32_t zone) {
    const Record* soa = s_.zones_[zone].soa();
    Record copy = *soa;
    copy.ttl = std::min(soa->ttl, soaField(soa->rdata, 4));
    extra_.push_back(std::move(copy));
    return &extra_.back();
  }

  // CNAME chain starting at `node` (RFC 1034 §4.3.2 step 3a), within the node's zone.
  void encodeCname(const BuildNode& node, std::vector<ZoneSet::TypeTail>& types,
                   uint32_t& default_tail) {
    Rrs chain = node.rrsets.at(RrType::kCname);
    std::set<std::string> visited{node.key};
    const BuildNode* end = nullptr;
    bool nxdomain = false, left_zone = false;
    for (int hop = 0; hop < kMaxChain; ++hop) {
      std::string target = lowerKey(chain.back()->rdata);
      const BuildNode* next = lookup(target);
      bool in_zone = deepestZone(target) == static_cast<int>(node.zone);
      if (!in_zone || !visited.insert(target).second) {
        left_zone = true;
        break;
      }
      if (!next) {
        nxdomain = true;  // RFC 6604 §2.1: the RCODE describes the last name in the chain
        break;
      }
      if (next->kind != ZoneSet::NodeKind::kAuth) {
        left_zone = true;
        break;
      }
      auto c = next->rrsets.find(RrType::kCname);
      if (c == next->rrsets.end()) {
        end = next;
        break;
      }
      chain.push_back(c->second.front());
    }
    if (end) {
      for (const auto& [type, rrs] : end->rrsets) {
        Rrs an = chain;
        an.insert(an.end(), rrs.begin(), rrs.end());
        types.push_back({type, encode(node.key, false, an, {}, {}, Rcode::kNoError, true, false)});
      }
    }
    if (left_zone) {
      default_tail = encode(node.key, false, chain, {}, {}, Rcode::kNoError, true, false);
    } else {
      default_tail = encode(node.key, false, chain, {negativeSoa(node.zone)}, {},
                            nxdomain ? Rcode::kNxDomain : Rcode::kNoError, true, false);
    }
  }

  Status encodeAll() {
    std::vector<uint32_t> nodata(s_.zones_.size()), nxdomain(s_.zones_.size());
    for (uint32_t z = 0; z < s_.zones_.size(); ++z) {
      std::string apex = lowerKey(s_.zones_[z].origin.wire());
      nodata[z] = encode(apex, true, {}, {negativeSoa(z)}, {}, Rcode::kNoError, true, false);
      ZoneSet::Tail nx = s_.tails_[nodata[z]];
      nx.rcode = Rcode::kNxDomain;
      s_.tails_.push_back(nx);
      nxdomain[z] = static_cast<uint32_t>(s_.tails_.size() - 1);
    }
    std::unordered_map<std::string, uint32_t> referrals;
    for (const std::string& key : order_) {
      const BuildNode& n = nodes_.at(key);
      if (n.kind == ZoneSet::NodeKind::kAuth || referrals.count(n.cut)) continue;
      const Rrs& ns = nodes_.at(n.cut).rrsets.at(RrType::kNs);
      // RFC 1034 §4.3.2 step 3b: a referral, not authoritative, with glue.
      referrals[n.cut] = encode(n.cut, true, {}, ns, additionalFor(ns, n.zone, true),
                                Rcode::kNoError, false, true);
    }
    s_.apex_soa_tail_.assign(s_.zones_.size(), 0);
    for (const std::string& key : order_) {
      const BuildNode& n = nodes_.at(key);
      ZoneSet::Node out;
      out.zone = n.zone;
      out.kind = n.kind;
      out.nodata_tail = nodata[n.zone];
      std::vector<ZoneSet::TypeTail> types;
      if (n.kind != ZoneSet::NodeKind::kAuth) {
        out.default_tail = out.below_tail = referrals.at(n.cut);
      } else {
        out.default_tail = nodata[n.zone];
        out.below_tail = nxdomain[n.zone];
        if (n.rrsets.count(RrType::kCname)) {
          const Rrs& c = n.rrsets.at(RrType::kCname);
          uint32_t own = encode(key, false, c, {}, {}, Rcode::kNoError, true, false);
          types.push_back({RrType::kCname, own});
          types.push_back({RrType::kAny, own});  // RFC 8482 §4.1: one RRset suffices
          encodeCname(n, types, out.default_tail);
        } else {
          for (const auto& [type, rrs] : n.rrsets) {
            uint32_t t = encode(key, false, rrs, {}, additionalFor(rrs, n.zone, false),
                                Rcode::kNoError, true, false);
            types.push_back({type, t});
            if (type == RrType::kSoa) s_.apex_soa_tail_[n.zone] = t;
          }
          // RFC 8482 §4.1: answer ANY with one RRset (the first by type).
          if (!types.empty()) types.push_back({RrType::kAny, types.front().tail});
        }
      }
      out.types_begin = static_cast<uint32_t>(s_.type_tails_.size());
      out.types_count = static_cast<uint32_t>(types.size());
      s_.type_tails_.insert(s_.type_tails_.end(), types.begin(), types.end());
      out.key_offset = static_cast<uint32_t>(s_.keys_.size());
      out.key_length = static_cast<uint16_t>(key.size());
      out.hash = ZoneSet::hashName(reinterpret_cast<const uint8_t*>(key.data()), key.size());
      s_.keys_ += key;
      s_.nodes_.push_back(out);
    }
    if (!error_.empty()) return Error::make(ErrorCode::kInvalid, error_);
    return {};
  }

  void buildTable() {
    size_t capacity = 16;
    while (capacity < s_.nodes_.size() * 2) capacity *= 2;
    s_.slots_.assign(capacity, 0);
    for (uint32_t i = 0; i < s_.nodes_.size(); ++i) {
      size_t slot = s_.nodes_[i].hash & (capacity - 1);
      while (s_.slots_[slot] != 0) slot = (slot + 1) & (capacity - 1);
      s_.slots_[slot] = (static_cast<uint64_t>(s_.nodes_[i].hash) << 32) | (i + 1);
    }
  }

  ZoneSet& s_;
  std::unordered_map<std::string, uint32_t> origins_;
  std::unordered_map<std::string, BuildNode> nodes_;
  std::vector<std::string> order_;
  std::deque<Record> extra_;
  std::string error_;
};

Result<std::shared_ptr<const ZoneSet>> ZoneSet::build(std::vector<Zone> zones) {
  std::shared_ptr<ZoneSet> set(new ZoneSet());
  ZoneSetBuilder builder(*set);
  MJ_TRY(builder.run(std::move(zones)));
  return std::shared_ptr<const ZoneSet>(std::move(set));
}

}  // namespace mailjuke::dns
