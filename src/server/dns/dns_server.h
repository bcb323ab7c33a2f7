// Authoritative DNS server: UDP and TCP on one address and port, answering from the snapshot in
// a SnapshotHolder (see proto/dns/zone_set.h).
//
//   auto holder = std::make_shared<dns::SnapshotHolder>(*dns::ZoneSet::fromRecords(zones));
//   dns::DnsServer server(options, holder);
//   auto bound = server.start();            // "127.0.0.1:8053" (the real port when 0 was asked)
//   server.installSnapshot(newer);          // atomically; NOTIFYs secondaries on serial change
//   server.stop();                          // prompt; joins every thread
//
// Threads: `udp_threads` threads each own an SO_REUSEPORT UDP socket and answer in batches
// (recvmmsg/sendmmsg); one more thread runs Asio for TCP (RFC 7766: pipelining, 2-octet length
// framing, idle timeout, bounded connections), zone transfers (RFC 5936) and NOTIFY (RFC 1996).
// All public methods are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "proto/dns/zone_set.h"

namespace mailjuke::dns {

struct DnsServerOptions {
  // "ip:port" or "[ipv6]:port"; port 0 picks a free port (the same for UDP and TCP).
  std::string listen = "127.0.0.1:8053";
  int udp_threads = 0;              // 0: half the hardware threads (at least one)
  uint16_t max_udp_payload = 1232;  // EDNS payload cap (RFC 6891 §6.2.5), 512..4096
  // UDP threads busy-poll this long before sleeping (0: never). Only worth it when the threads
  // have cores to themselves; on shared cores it takes CPU from everything else.
  std::chrono::microseconds udp_busy_poll{0};
  size_t max_tcp_connections = 256;  // beyond this, new connections are closed at once
  std::chrono::milliseconds tcp_idle_timeout{10000};  // RFC 7766 §6.2.3
  // Source addresses allowed to AXFR/IXFR over TCP; others get REFUSED (RFC 5936 §6).
  std::vector<std::string> transfer_allow;
  // Secondaries ("ip:port") sent a NOTIFY when an installed snapshot changes a zone's serial
  // or adds a zone (RFC 1996 §3.5), retried until answered.
  std::vector<std::string> notify;
  int notify_attempts = 5;
  std::chrono::milliseconds notify_timeout{1000};  // first wait; doubles each retry (§3.6)
};

class DnsServer {
 public:
  DnsServer(DnsServerOptions options, std::shared_ptr<SnapshotHolder> holder);
  ~DnsServer();  // stop()s
  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

  // Binds and starts the threads. Returns the bound "ip:port" (IPv6 as "[ip]:port").
  Result<std::string> start();
  // Stops listening, closes connections and joins all threads. Idempotent.
  void stop();
  // Installs a snapshot into the holder (same as holder->install()); NOTIFYs follow.
  void installSnapshot(std::shared_ptr<const ZoneSet> snapshot);

  struct Stats {
    uint64_t udp_queries = 0;
    uint64_t udp_batches = 0;  // udp_queries / udp_batches = datagrams per system call
    uint64_t tcp_queries = 0;
    uint64_t transfers = 0;
    uint64_t notifies_sent = 0;   // NOTIFY messages sent, retries included
    uint64_t notifies_acked = 0;  // NOTIFYs answered by the secondary
  };
  Stats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mailjuke::dns
