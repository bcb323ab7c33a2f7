// DNS over TCP (RFC 7766) on the server's Asio thread: 2-octet length framing, pipelined
// queries answered in order, an idle timeout, a connection limit, and zone transfers to
// allowed sources (RFC 5936).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <vector>

#include "proto/dns/zone_set.h"
#include "server/dns/dns_server.h"
#include "server/dns/server_state.h"

namespace mailjuke::dns {

class TcpServer {
 public:
  TcpServer(boost::asio::io_context& io, boost::asio::ip::tcp::acceptor acceptor,
            SnapshotHolder& holder, const DnsServerOptions& options,
            std::vector<boost::asio::ip::address> transfer_allow, ServerCounters& counters);

  // Starts accepting (call once, before the io_context runs or on its thread).
  void start();

 private:
  struct Connection;
  boost::asio::awaitable<void> acceptLoop();
  boost::asio::awaitable<void> serve(std::shared_ptr<Connection> c);
  boost::asio::awaitable<void> watchdog(std::shared_ptr<Connection> c);
  // Answers every complete frame in c->in; appends framed replies to c->out.
  void answerFrames(Connection& c);
  bool transferAllowed(const boost::asio::ip::address& peer) const;

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  SnapshotHolder& holder_;
  const DnsServerOptions& options_;
  std::vector<boost::asio::ip::address> transfer_allow_;
  ServerCounters& counters_;
  size_t connections_ = 0;      // touched on the io thread only
  std::vector<uint8_t> reply_;  // scratch for one reply (io thread only)
};

}  // namespace mailjuke::dns
