// The answer engine: query bytes + ZoneSet -> response bytes. Pure and thread-safe (the
// ZoneSet is immutable); no allocation on the query path.
#pragma once

#include <cstddef>
#include <cstdint>

#include "proto/dns/zone_set.h"

namespace mailjuke::dns {

struct AnswerOptions {
  bool tcp = false;
  // Our EDNS UDP payload limit, advertised in the OPT and used as a cap on the client's
  // (RFC 6891 §6.2.5). 1232 avoids IP fragmentation on common paths (DNS Flag Day 2020).
  uint16_t max_udp_payload = 1232;
  // The client may transfer zones (AXFR/IXFR, TCP only; RFC 5936 §6).
  bool transfer_allowed = false;
};

struct Answer {
  enum class Action : uint8_t {
    kDrop,      // send nothing: too short to have a header, or a response (QR=1)
    kReply,     // send out[0, size)
    kTransfer,  // a permitted AXFR/IXFR over TCP for zone `zone`: see transfer.h
  };
  Action action = Action::kDrop;
  size_t size = 0;
  uint16_t rcode = 0;  // 12-bit RCODE of the reply (for statistics)
  int zone = -1;
};

// Answers one query. `out` must hold `out_capacity` bytes; the reply never exceeds it, nor the
// transport's limit: 512 octets over UDP without EDNS, the client's EDNS size clamped to
// [512, max_udp_payload] with EDNS, 65535 over TCP. Replies that do not fit are truncated
// (TC=1, empty sections) so the client retries over TCP (RFC 1035 §4.2.1, RFC 2181 §9).
Answer answerQuery(const ZoneSet& zones, const uint8_t* query, size_t length, uint8_t* out,
                   size_t out_capacity, const AnswerOptions& options);

}  // namespace mailjuke::dns
