#include "proto/dns/message.h"

#include "proto/dns/wire.h"

namespace mailjuke::dns {
namespace {

Error malformed(std::string why) { return Error::make(ErrorCode::kMalformed, std::move(why)); }

bool validOptions(std::string_view options) {
  // RFC 6891 §6.1.2: {code, length, data} triples filling the rdata exactly.
  size_t p = 0;
  while (p < options.size()) {
    if (p + 4 > options.size()) return false;
    size_t len = (static_cast<uint8_t>(options[p + 2]) << 8) | static_cast<uint8_t>(options[p + 3]);
    p += 4 + len;
  }
  return p == options.size();
}

}  // namespace

uint16_t Message::rcode() const {
  uint16_t low = header.rcode();
  return edns ? static_cast<uint16_t>((edns->extended_rcode << 4) | low) : low;
}

Result<Message> parseMessage(std::string_view wire) {
  WireReader r(wire);
  Message m;
  m.header.id = r.u16();
  m.header.flags = r.u16();
  uint16_t counts[4];
  for (auto& c : counts) c = r.u16();
  if (!r.ok()) return malformed("short header");
  for (uint16_t i = 0; i < counts[0]; ++i) {
    std::string name = r.name();
    Question q;
    q.type = r.u16();
    q.klass = r.u16();
    if (!r.ok()) return malformed("truncated question");
    q.name = *Name::fromWire(name);
    m.questions.push_back(std::move(q));
  }
  std::vector<Record>* sections[3] = {&m.answers, &m.authority, &m.additional};
  for (int s = 0; s < 3; ++s) {
    for (uint16_t i = 0; i < counts[s + 1]; ++i) {
      std::string owner = r.name();
      uint16_t type = r.u16();
      uint16_t klass = r.u16();
      uint32_t ttl = r.u32();
      uint16_t rdlength = r.u16();
      if (!r.ok()) return malformed("truncated record");
      std::string rdata;
      if (!readRdata(r, type, rdlength, &rdata)) return malformed("bad rdata");
      if (type == RrType::kOpt) {
        if (s != 2) return malformed("OPT outside the additional section");
        if (m.edns) return malformed("more than one OPT");
        if (owner.size() != 1) return malformed("OPT owner is not the root");
        if (!validOptions(rdata)) return malformed("bad EDNS options");
        Edns e;
        e.udp_size = klass;
        e.extended_rcode = static_cast<uint8_t>(ttl >> 24);
        e.version = static_cast<uint8_t>(ttl >> 16);
        e.dnssec_ok = ttl & 0x8000;
        e.options = std::move(rdata);
        m.edns = std::move(e);
        continue;
      }
      sections[s]->push_back(Record{*Name::fromWire(owner), type, klass, ttl, std::move(rdata)});
    }
  }
  if (r.remaining() != 0) return malformed("trailing bytes after the message");
  return m;
}

std::string serializeMessage(const Message& m) {
  WireWriter w;
  w.u16(m.header.id);
  uint16_t flags = m.header.flags;
  if (m.edns) flags = static_cast<uint16_t>((flags & ~0xF) | (m.header.flags & 0xF));
  w.u16(flags);
  w.u16(static_cast<uint16_t>(m.questions.size()));
  w.u16(static_cast<uint16_t>(m.answers.size()));
  w.u16(static_cast<uint16_t>(m.authority.size()));
  w.u16(static_cast<uint16_t>(m.additional.size() + (m.edns ? 1 : 0)));
  for (const auto& q : m.questions) {
    w.name(q.name.wire());
    w.u16(q.type);
    w.u16(q.klass);
  }
  for (const auto* section : {&m.answers, &m.authority, &m.additional})
    for (const auto& rr : *section)
      writeRecord(w, rr.owner.wire(), rr.type, rr.klass, rr.ttl, rr.rdata);
  if (m.edns) {
    const Edns& e = *m.edns;
    uint32_t ttl = (static_cast<uint32_t>(e.extended_rcode) << 24) |
                   (static_cast<uint32_t>(e.version) << 16) | (e.dnssec_ok ? 0x8000u : 0u);
    writeRecord(w, std::string_view("\0", 1), RrType::kOpt, e.udp_size, ttl, e.options);
  }
  return std::move(w.buffer());
}

}  // namespace mailjuke::dns
