#include "proto/dns/transfer.h"

#include "proto/dns/message.h"
#include "proto/dns/wire.h"

namespace mailjuke::dns {
namespace {

void writeHeader(WireWriter& w, uint16_t id, uint16_t flags, uint16_t qd, bool edns) {
  w.u16(id);
  w.u16(flags);
  w.u16(qd);
  w.u16(0);
  w.u16(0);
  w.u16(edns ? 1 : 0);
}

}  // namespace

std::vector<std::string> buildTransfer(const ZoneSet& zones, int zone_index, std::string_view query,
                                       size_t max_message) {
  std::vector<std::string> out;
  auto parsed = parseMessage(query);
  if (!parsed || parsed->questions.size() != 1 || zone_index < 0 ||
      static_cast<size_t>(zone_index) >= zones.zones().size()) {
    std::string header(query.substr(0, 2));
    header += static_cast<char>(0x80);
    header += static_cast<char>(Rcode::kFormErr);
    header.append(8, '\0');
    out.push_back(header);
    return out;
  }
  const Message& q = *parsed;
  const Zone& zone = zones.zones()[zone_index];
  const Record* soa = zone.soa();
  const uint16_t flags =
      static_cast<uint16_t>(Flag::kQr | Flag::kAa | (q.header.flags & Flag::kRd));
  const bool edns = q.edns.has_value();

  std::vector<const Record*> records{soa};
  bool up_to_date = false;
  if (q.questions[0].type == RrType::kIxfr) {
    // RFC 1995 §3: the client's SOA is in the authority section.
    for (const auto& rr : q.authority)
      if (rr.type == RrType::kSoa && soaField(rr.rdata, 0) == soaField(soa->rdata, 0))
        up_to_date = true;
  }
  if (!up_to_date) {
    for (const auto& rr : zone.records)
      if (rr.type != RrType::kSoa) records.push_back(&rr);
    records.push_back(soa);
  }

  WireWriter w;
  uint16_t count = 0;
  auto begin = [&] {
    w = WireWriter();
    count = 0;
    writeHeader(w, q.header.id, flags, 1, edns);
    w.name(q.questions[0].name.wire());
    w.u16(q.questions[0].type);
    w.u16(q.questions[0].klass);
  };
  auto finish = [&] {
    w.patchU16(6, count);
    if (edns) writeRecord(w, std::string_view("\0", 1), RrType::kOpt, 1232, 0, {});
    out.push_back(std::move(w.buffer()));
  };
  begin();
  for (const Record* rr : records) {
    size_t before = w.size();
    writeRecord(w, rr->owner.wire(), rr->type, rr->klass, rr->ttl, rr->rdata);
    if (w.size() + 11 > max_message && count > 0) {
      w.truncate(before);
      finish();
      begin();
      writeRecord(w, rr->owner.wire(), rr->type, rr->klass, rr->ttl, rr->rdata);
    }
    ++count;
  }
  finish();
  return out;
}

std::string buildNotify(uint16_t id, const Zone& zone) {
  Message m;
  m.header.id = id;
  m.header.flags = static_cast<uint16_t>((Opcode::kNotify << 11) | Flag::kAa);
  m.questions.push_back(Question{zone.origin, RrType::kSoa, RrClass::kIn});
  if (const Record* soa = zone.soa()) m.answers.push_back(*soa);
  return serializeMessage(m);
}

bool isNotifyResponse(std::string_view response, uint16_t id, const Name& origin) {
  auto m = parseMessage(response);
  if (!m || m->header.id != id || !m->header.qr() || m->header.opcode() != Opcode::kNotify)
    return false;
  // The question, when present, must name our zone.
  return m->questions.empty() || m->questions[0].name == origin;
}

}  // namespace mailjuke::dns
