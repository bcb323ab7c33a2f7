// Sends NOTIFY (RFC 1996) to the configured secondaries when a new snapshot changes a zone's
// serial, from the server's Asio thread, retrying with a doubling timeout until answered.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "proto/dns/zone_set.h"
#include "server/dns/dns_server.h"
#include "server/dns/server_state.h"

namespace mailjuke::dns {

class Notifier {
 public:
  Notifier(boost::asio::io_context& io, const DnsServerOptions& options,
           std::vector<boost::asio::ip::udp::endpoint> targets, boost::asio::ip::address local,
           ServerCounters& counters);

  // Thread-safe. Queues a NOTIFY to every target for each zone of `current` whose serial
  // differs from `previous`, or which is new (unless `previous` was empty: a first load).
  void onInstall(const std::shared_ptr<const ZoneSet>& previous,
                 const std::shared_ptr<const ZoneSet>& current);

 private:
  struct Job {
    Zone zone;  // origin and SOA only
    boost::asio::ip::udp::endpoint target;
  };
  void enqueue(std::vector<Zone> zones);  // io thread
  boost::asio::awaitable<void> worker();
  boost::asio::awaitable<void> send(Job job);

  boost::asio::io_context& io_;
  const DnsServerOptions& options_;
  std::vector<boost::asio::ip::udp::endpoint> targets_;
  boost::asio::ip::address local_;
  ServerCounters& counters_;
  // io thread only:
  std::deque<std::string> queue_;       // keys into waiting_, oldest first
  std::map<std::string, Job> waiting_;  // not yet started, one per (zone, target)
  int active_ = 0;
  std::mt19937 random_{std::random_device{}()};
};

}  // namespace mailjuke::dns
