// A small stub DNS client (RFC 1035 §4.2): one question to one resolver over UDP, retried over
// TCP when the answer is truncated (TC). Used by domain verification.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "proto/dns/zone.h"

namespace mailjuke::core {

struct DnsAnswer {
  uint16_t rcode = 0;
  bool authoritative = false;  // AA: an authoritative server answered, not a recursive resolver
  std::vector<dns::Record> answers;  // answer section records of the asked type
};

// `server` is "ip:port" (IPv4) or "[ipv6]:port".
Result<DnsAnswer> dnsQuery(const std::string& server, const std::string& name, uint16_t type,
                           std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

// The character-strings of TXT rdata joined together (RFC 7208 §3.3, RFC 6376 §3.6.2.2).
std::string txtJoined(std::string_view rdata);

}  // namespace mailjuke::core
