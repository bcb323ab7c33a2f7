// Zone transfer (AXFR, RFC 5936; IXFR answered in AXFR form, RFC 1995 §4) and NOTIFY
// (RFC 1996) messages.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proto/dns/zone_set.h"

namespace mailjuke::dns {

// The response messages for a permitted AXFR/IXFR query on zone `zone` (as returned by
// answerQuery() with Action::kTransfer): SOA first and last (RFC 5936 §2.2), each message at
// most `max_message` octets (one oversized RR still gets its own message), the question echoed
// in every message. An IXFR whose client serial already equals ours gets the SOA alone
// (RFC 1995 §2). A query that fails full parsing gets one FORMERR message.
std::vector<std::string> buildTransfer(const ZoneSet& zones, int zone, std::string_view query,
                                       size_t max_message = 16384);

// RFC 1996 §3.7: NOTIFY for `zone`, AA set, question (origin, SOA, IN), current SOA as answer.
std::string buildNotify(uint16_t id, const Zone& zone);

// True when `response` acknowledges our NOTIFY `id` for `origin` (QR=1, opcode NOTIFY,
// RFC 1996 §4.7). Any RCODE ends the retries.
bool isNotifyResponse(std::string_view response, uint16_t id, const Name& origin);

}  // namespace mailjuke::dns
