// State shared by the DNS server's parts (internal to server/dns).
#pragma once

#include <atomic>
#include <cstdint>

namespace mailjuke::dns {

struct ServerCounters {
  std::atomic<uint64_t> udp_queries{0};
  std::atomic<uint64_t> udp_batches{0};  // recvmmsg calls that returned datagrams
  std::atomic<uint64_t> tcp_queries{0};
  std::atomic<uint64_t> transfers{0};
  std::atomic<uint64_t> notifies_sent{0};
  std::atomic<uint64_t> notifies_acked{0};
};

}  // namespace mailjuke::dns
