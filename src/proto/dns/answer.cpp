#include "proto/dns/answer.h"

#include <algorithm>
#include <cstring>

namespace mailjuke::dns {
namespace {

constexpr size_t kOptSize = 11;

inline uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline void put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

struct Query {
  const uint8_t* data;
  size_t length;
  uint16_t flags;
  uint8_t lower[kMaxNameLength + 1];
  size_t qname_length = 0;
  uint32_t hash = 0;
  uint16_t qtype = 0;
  uint16_t qclass = 0;
  size_t question_end = 0;
  bool edns = false;
  uint16_t udp_size = 0;
  uint8_t edns_version = 0;
};

// Reply with the header only (the question could not be read): FORMERR, NOTIMP.
Answer headerOnly(const Query& q, uint8_t* out, uint16_t rcode) {
  std::memcpy(out, q.data, 2);
  uint16_t flags =
      static_cast<uint16_t>(Flag::kQr | (q.flags & 0x7800) | (q.flags & Flag::kRd) | rcode);
  put16(out + 2, flags);
  std::memset(out + 4, 0, 8);
  return Answer{Answer::Action::kReply, kHeaderSize, rcode, -1};
}

void writeOpt(uint8_t* p, uint16_t payload, uint8_t extended_rcode) {
  // RFC 6891 §6.1.2: root owner, type OPT, CLASS = our UDP payload size, TTL = extended RCODE,
  // version 0, DO clear (we do not sign; RFC 3225 §3), no options.
  p[0] = 0;
  put16(p + 1, RrType::kOpt);
  put16(p + 3, payload);
  p[5] = extended_rcode;
  p[6] = 0;
  p[7] = 0;
  p[8] = 0;
  put16(p + 9, 0);
}

// Header + echoed question (+ OPT) with an error or empty answer, e.g. REFUSED, BADVERS.
Answer questionOnly(const Query& q, uint8_t* out, uint16_t rcode, const AnswerOptions& o,
                    bool aa = false, bool tc = false) {
  size_t qsec = q.question_end - kHeaderSize;
  std::memcpy(out, q.data, 2);
  uint16_t flags =
      static_cast<uint16_t>(Flag::kQr | (q.flags & (Flag::kRd | Flag::kCd)) | (aa ? Flag::kAa : 0) |
                            (tc ? Flag::kTc : 0) | (rcode & 0xF));
  put16(out + 2, flags);
  put16(out + 4, 1);
  put16(out + 6, 0);
  put16(out + 8, 0);
  put16(out + 10, q.edns ? 1 : 0);
  std::memcpy(out + kHeaderSize, q.data + kHeaderSize, qsec);
  size_t size = kHeaderSize + qsec;
  if (q.edns) {
    writeOpt(out + size, o.max_udp_payload, static_cast<uint8_t>(rcode >> 4));
    size += kOptSize;
  }
  return Answer{Answer::Action::kReply, size, rcode, -1};
}

// Parses the question and scans the other sections for an OPT record. Returns 0 on success or
// the RCODE to answer with (FORMERR).
uint16_t parse(Query& q) {
  const uint8_t* d = q.data;
  size_t len = q.length;
  size_t pos = kHeaderSize;
  uint32_t h = 2166136261u;
  // The question name: uncompressed (nothing precedes it that a pointer could reach).
  while (true) {
    if (pos >= len) return Rcode::kFormErr;
    uint8_t l = d[pos];
    if (l & 0xC0) return Rcode::kFormErr;
    if (q.qname_length + 1 + l > kMaxNameLength || pos + 1 + l > len) return Rcode::kFormErr;
    q.lower[q.qname_length++] = l;
    h = (h ^ l) * 16777619u;
    for (size_t i = 1; i <= l; ++i) {
      uint8_t c = lowerOctet(d[pos + i]);
      q.lower[q.qname_length++] = c;
      h = (h ^ c) * 16777619u;
    }
    pos += 1 + l;
    if (l == 0) break;
  }
  q.hash = h;
  if (pos + 4 > len) return Rcode::kFormErr;
  q.qtype = be16(d + pos);
  q.qclass = be16(d + pos + 2);
  pos += 4;
  q.question_end = pos;
  unsigned an_ns = be16(d + 6) + be16(d + 8);
  unsigned total = an_ns + be16(d + 10);
  for (unsigned i = 0; i < total; ++i) {
    size_t owner_start = pos;
    while (true) {  // skip the owner name without following pointers
      if (pos >= len) return Rcode::kFormErr;
      uint8_t l = d[pos];
      if ((l & 0xC0) == 0xC0) {
        pos += 2;
        break;
      }
      if (l & 0xC0) return Rcode::kFormErr;
      pos += 1 + l;
      if (l == 0) break;
    }
    if (pos + 10 > len) return Rcode::kFormErr;
    uint16_t type = be16(d + pos);
    uint16_t rdlength = be16(d + pos + 8);
    if (pos + 10 + rdlength > len) return Rcode::kFormErr;
    if (type == RrType::kOpt) {
      // RFC 6891 §6.1.1: one OPT, in the additional section, owned by the root.
      if (i < an_ns || q.edns || pos - owner_start != 1) return Rcode::kFormErr;
      q.edns = true;
      q.udp_size = be16(d + pos + 2);
      q.edns_version = d[pos + 5];
      size_t o = pos + 10, end = o + rdlength;
      while (o < end) {  // options must fill the rdata exactly (§6.1.2)
        if (o + 4 > end) return Rcode::kFormErr;
        o += 4 + be16(d + o + 2);
      }
      if (o != end) return Rcode::kFormErr;
    }
    pos += 10 + rdlength;
  }
  if (pos != len) return Rcode::kFormErr;  // trailing garbage
  return 0;
}

const ZoneSet::Node* closestEncloser(const ZoneSet& zones, const Query& q) {
  // Walk up label by label; the first existing node is the closest encloser (RFC 4592 §3.3.1).
  for (size_t p = 0; q.lower[p] != 0;) {
    p += 1 + q.lower[p];
    size_t n = q.qname_length - p;
    if (auto* node = zones.find(q.lower + p, n, ZoneSet::hashName(q.lower + p, n))) return node;
  }
  return nullptr;
}

Answer assemble(const ZoneSet& zones, const Query& q, const ZoneSet::Tail& t, uint8_t* out,
                size_t limit, const AnswerOptions& o) {
  const size_t qsec = q.question_end - kHeaderSize;
  const size_t base = kHeaderSize + qsec;
  const size_t opt = q.edns ? kOptSize : 0;
  size_t body = t.size;
  uint16_t an = t.an, ns = t.ns, ar = t.ar;
  if (base + body + opt > limit) {
    if (!t.additional_required && base + t.size_without_additional + opt <= limit) {
      body = t.size_without_additional;  // RFC 2181 §9: dropping additional data needs no TC
      ar = 0;
    } else {
      return questionOnly(q, out, t.rcode, o, t.aa, true);  // RFC 1035 §4.2.1: TC
    }
  }
  std::memcpy(out, q.data, 2);
  uint16_t flags = static_cast<uint16_t>(Flag::kQr | (q.flags & (Flag::kRd | Flag::kCd)) |
                                         (t.aa ? Flag::kAa : 0) | t.rcode);
  put16(out + 2, flags);
  put16(out + 4, 1);
  put16(out + 6, an);
  put16(out + 8, ns);
  put16(out + 10, static_cast<uint16_t>(ar + (q.edns ? 1 : 0)));
  // RFC 4343 §4.1: the question goes back exactly as asked, case included.
  std::memcpy(out + kHeaderSize, q.data + kHeaderSize, qsec);
  std::memcpy(out + base, zones.bytes() + t.offset, body);
  if (t.patch_count != 0 && q.qname_length != t.anchor_length) {
    uint16_t delta = static_cast<uint16_t>(q.qname_length - t.anchor_length);
    const uint16_t* patch = zones.patches() + t.patch_begin;
    for (uint32_t i = 0; i < t.patch_count; ++i) {
      if (patch[i] >= body) continue;
      uint8_t* p = out + base + patch[i];
      put16(p, static_cast<uint16_t>(be16(p) + delta));
    }
  }
  size_t size = base + body;
  if (q.edns) {
    writeOpt(out + size, o.max_udp_payload, 0);
    size += kOptSize;
  }
  return Answer{Answer::Action::kReply, size, t.rcode, -1};
}

}  // namespace

Answer answerQuery(const ZoneSet& zones, const uint8_t* data, size_t length, uint8_t* out,
                   size_t out_capacity, const AnswerOptions& o) {
  if (length < kHeaderSize || out_capacity < kMinUdpPayload) return {};
  Query q;
  q.data = data;
  q.length = length;
  q.flags = be16(data + 2);
  if (q.flags & Flag::kQr) return {};  // never answer a response (RFC 1035 §4.1.1; no loops)
  uint8_t opcode = static_cast<uint8_t>((q.flags >> 11) & 0xF);
  // RFC 1035 §4.1.1: only QUERY. NOTIFY (RFC 1996) is for secondaries; we are the primary.
  if (opcode != Opcode::kQuery) return headerOnly(q, out, Rcode::kNotImp);
  if (be16(data + 4) != 1) return headerOnly(q, out, Rcode::kFormErr);
  if (parse(q) != 0) return headerOnly(q, out, Rcode::kFormErr);

  size_t limit = o.tcp ? kMaxMessageSize : kMinUdpPayload;
  if (!o.tcp && q.edns)
    limit = std::clamp<size_t>(q.udp_size, kMinUdpPayload,
                               std::max<size_t>(o.max_udp_payload, kMinUdpPayload));
  limit = std::min(limit, out_capacity);
  if (q.edns && q.edns_version != 0) return questionOnly(q, out, Rcode::kBadVers, o);  // §6.1.3
  if (q.qclass != RrClass::kIn) return questionOnly(q, out, Rcode::kRefused, o);
  if (q.qtype == RrType::kOpt) return questionOnly(q, out, Rcode::kFormErr, o);
  if (q.qtype == RrType::kMaila || q.qtype == RrType::kMailb)
    return questionOnly(q, out, Rcode::kNotImp, o);

  const ZoneSet::Node* node = zones.find(q.lower, q.qname_length, q.hash);
  if (q.qtype == RrType::kAxfr || q.qtype == RrType::kIxfr) {
    bool apex = node && node->kind == ZoneSet::NodeKind::kAuth &&
                zones.zones()[node->zone].origin.wireLength() == q.qname_length;
    if (!apex) return questionOnly(q, out, node ? Rcode::kNotAuth : Rcode::kRefused, o);
    if (!o.tcp) {
      // RFC 1995 §4: IXFR over UDP may be answered with the current SOA alone; AXFR over UDP
      // is not defined (RFC 5936 §4.2).
      if (q.qtype == RrType::kAxfr) return questionOnly(q, out, Rcode::kNotImp, o);
      return assemble(zones, q, zones.tail(zones.zoneApexTail(node->zone)), out, limit, o);
    }
    if (!o.transfer_allowed) return questionOnly(q, out, Rcode::kRefused, o);  // RFC 5936 §6
    return Answer{Answer::Action::kTransfer, 0, 0, static_cast<int>(node->zone)};
  }

  uint32_t tail;
  if (node) {
    tail = node->default_tail;
    if (node->kind == ZoneSet::NodeKind::kAuth) {
      const ZoneSet::TypeTail* types = zones.typeTails() + node->types_begin;
      for (uint32_t i = 0; i < node->types_count; ++i)
        if (types[i].type == q.qtype) {
          tail = types[i].tail;
          break;
        }
    } else if (node->kind == ZoneSet::NodeKind::kDelegation && q.qtype == RrType::kDs) {
      tail = node->nodata_tail;  // RFC 4035 §3.1.4.1: DS is answered by the parent side
    }
  } else {
    const ZoneSet::Node* encloser = closestEncloser(zones, q);
    if (!encloser) return questionOnly(q, out, Rcode::kRefused, o);  // not our zone
    tail = encloser->below_tail;  // NXDOMAIN (RFC 2308 §2.1) or a referral
  }
  return assemble(zones, q, zones.tail(tail), out, limit, o);
}

}  // namespace mailjuke::dns
