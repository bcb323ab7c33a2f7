// One UDP answering thread: a synchronous recvmmsg/sendmmsg loop on its own SO_REUSEPORT
// socket. Batching amortises the system calls, which dominate the cost of a DNS answer.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "proto/dns/answer.h"
#include "proto/dns/zone_set.h"
#include "server/dns/server_state.h"

namespace mailjuke::dns {

class UdpWorker {
 public:
  // `fd` is a bound UDP socket (owned by the caller) with a receive timeout; to stop, set
  // `stopping` and shutdown(fd, SHUT_RD), which wakes the blocked receive.
  // `pktinfo`: the socket is bound to a wildcard address, so replies carry the query's
  // destination address as their source (IP_PKTINFO / IPV6_PKTINFO).
  UdpWorker(int fd, bool pktinfo, SnapshotHolder& holder, AnswerOptions options,
            ServerCounters& counters, const std::atomic<bool>& stopping,
            std::chrono::microseconds spin = {})
      : fd_(fd),
        pktinfo_(pktinfo),
        holder_(holder),
        options_(options),
        counters_(counters),
        stopping_(stopping),
        options_spin_(spin) {}

  // Runs until `stopping` is set.
  void run();

 private:
  int fd_;
  bool pktinfo_;
  SnapshotHolder& holder_;
  AnswerOptions options_;
  ServerCounters& counters_;
  const std::atomic<bool>& stopping_;
  std::chrono::microseconds options_spin_;
};

}  // namespace mailjuke::dns
