#include "server/dns/dns_server.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <mutex>
#include <thread>

#include "server/dns/notifier.h"
#include "server/dns/server_state.h"
#include "server/dns/tcp_server.h"
#include "server/dns/udp_worker.h"

namespace mailjuke::dns {

namespace asio = boost::asio;

namespace {

Result<asio::ip::address> parseAddress(std::string_view text) {
  boost::system::error_code ec;
  auto a = asio::ip::make_address(std::string(text), ec);
  if (ec) return Error::invalid("address", "bad IP address '" + std::string(text) + "'");
  return a;
}

// "1.2.3.4:53" or "[::1]:53".
Result<std::pair<asio::ip::address, uint16_t>> parseHostPort(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return Error::invalid("listen", "expected ip:port");
  std::string_view host = text.substr(0, colon), port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port > 65535)
    return Error::invalid("listen", "bad port in '" + std::string(text) + "'");
  MJ_TRY_ASSIGN(auto address, parseAddress(host));
  return std::make_pair(address, static_cast<uint16_t>(port));
}

Error sysError(const std::string& what) {
  return Error::make(ErrorCode::kUnavailable, what + ": " + std::strerror(errno));
}

// A UDP socket bound with SO_REUSEPORT, so each answering thread gets its own queue.
Result<int> bindUdp(const asio::ip::address& address, uint16_t port, bool pktinfo) {
  asio::ip::udp::endpoint ep(address, port);
  int fd = ::socket(ep.protocol().family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return sysError("socket");
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (address.is_v6()) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  int buffer = 4 << 20;  // absorb bursts; the kernel caps it at rmem_max
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  timeval wait{0, 250000};  // the workers re-check their stop flag at least this often
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  if (pktinfo) {
    if (address.is_v4())
      setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
    else
      setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
  }
  if (::bind(fd, ep.data(), static_cast<socklen_t>(ep.size())) != 0) {
    Error e = sysError("bind udp " + address.to_string() + ":" + std::to_string(port));
    ::close(fd);
    return e;
  }
  return fd;
}

uint16_t boundPort(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
}

}  // namespace

struct DnsServer::Impl {
  DnsServerOptions options;
  std::shared_ptr<SnapshotHolder> holder;
  ServerCounters counters;
  std::mutex mutex;  // serialises start()/stop()
  bool running = false;
  std::atomic<bool> stopping{false};
  std::vector<int> udp_fds;
  std::vector<std::unique_ptr<UdpWorker>> workers;
  std::vector<std::thread> threads;
  std::unique_ptr<asio::io_context> io;
  std::unique_ptr<TcpServer> tcp;
  std::unique_ptr<Notifier> notifier;
  std::thread io_thread;
  int listener_id = 0;

  void closeAll() {
    for (int fd : udp_fds) ::close(fd);
    udp_fds.clear();
  }
};

DnsServer::DnsServer(DnsServerOptions options, std::shared_ptr<SnapshotHolder> holder)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->holder = holder ? std::move(holder) : std::make_shared<SnapshotHolder>();
}

DnsServer::~DnsServer() { stop(); }

Result<std::string> DnsServer::start() {
  Impl& s = *impl_;
  std::lock_guard lock(s.mutex);
  if (s.running) return Error::make(ErrorCode::kConflict, "DNS server already running");
  auto& o = s.options;
  o.max_udp_payload = std::clamp<uint16_t>(o.max_udp_payload, 512, 4096);
  MJ_TRY_ASSIGN(auto listen, parseHostPort(o.listen));
  auto [address, port] = listen;
  std::vector<asio::ip::address> allow;
  for (const auto& a : o.transfer_allow) {
    MJ_TRY_ASSIGN(auto parsed, parseAddress(a));
    allow.push_back(parsed);
  }
  std::vector<asio::ip::udp::endpoint> targets;
  for (const auto& t : o.notify) {
    MJ_TRY_ASSIGN(auto hp, parseHostPort(t));
    targets.emplace_back(hp.first, hp.second);
  }
  // Default: half the CPUs. On 2 shared cores one thread answered at 2.6-3.0 µs of CPU per
  // query, two threads at 3.8-5.7 µs (more wake-ups and context switches, less batching), for
  // the same QPS; the other half of the machine is left to the other listeners.
  int threads = o.udp_threads > 0
                    ? o.udp_threads
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency() / 2));
  const bool pktinfo = address.is_unspecified();

  s.io = std::make_unique<asio::io_context>(1);
  asio::ip::tcp::acceptor acceptor(*s.io);
  // With port 0, the kernel picks the UDP port; TCP must get the same one, so retry if taken.
  for (int attempt = 0;; ++attempt) {
    MJ_TRY_ASSIGN(int fd, bindUdp(address, port, pktinfo));
    uint16_t chosen = boundPort(fd);
    boost::system::error_code ec;
    asio::ip::tcp::endpoint ep(address, chosen);
    acceptor.open(ep.protocol(), ec);
    if (!ec) acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
    if (!ec && address.is_v6()) acceptor.set_option(asio::ip::v6_only(true), ec);
    if (!ec) acceptor.bind(ep, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (!ec) {
      s.udp_fds.push_back(fd);
      port = chosen;
      break;
    }
    ::close(fd);
    boost::system::error_code ignored;
    acceptor.close(ignored);
    if (port != 0 || attempt >= 20)
      return Error::make(ErrorCode::kUnavailable, "bind tcp " + ep.address().to_string() + ":" +
                                                      std::to_string(chosen) + ": " + ec.message());
  }
  for (int i = 1; i < threads; ++i) {
    auto fd = bindUdp(address, port, pktinfo);
    if (!fd) {
      s.closeAll();
      return std::move(fd).error();
    }
    s.udp_fds.push_back(*fd);
  }
  s.stopping = false;
  AnswerOptions answer_options;
  answer_options.max_udp_payload = o.max_udp_payload;
  for (int fd : s.udp_fds) {
    s.workers.push_back(std::make_unique<UdpWorker>(fd, pktinfo, *s.holder, answer_options,
                                                    s.counters, s.stopping));
  }
  for (auto& w : s.workers) s.threads.emplace_back([worker = w.get()] { worker->run(); });

  s.tcp = std::make_unique<TcpServer>(*s.io, std::move(acceptor), *s.holder, o, allow, s.counters);
  s.tcp->start();
  s.notifier = std::make_unique<Notifier>(*s.io, o, std::move(targets), address, s.counters);
  Notifier* notifier = s.notifier.get();
  s.listener_id = s.holder->addListener([notifier](const auto& previous, const auto& current) {
    notifier->onInstall(previous, current);
  });
  s.io_thread = std::thread([io = s.io.get()] {
    auto guard = asio::make_work_guard(*io);
    io->run();
  });
  s.running = true;
  std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(port);
}

void DnsServer::stop() {
  Impl& s = *impl_;
  std::lock_guard lock(s.mutex);
  if (!s.running) return;
  s.holder->removeListener(s.listener_id);
  s.stopping = true;
  // Linux wakes a receiver blocked on a UDP socket when it is shut down (it returns ENOTCONN
  // here, as the socket is unconnected, but still wakes); the receive timeout is the backstop.
  for (int fd : s.udp_fds) ::shutdown(fd, SHUT_RDWR);
  for (auto& t : s.threads) t.join();
  s.threads.clear();
  s.workers.clear();
  s.io->stop();
  s.io_thread.join();
  // Destroying the io_context destroys the suspended coroutines, closing their sockets.
  s.notifier.reset();
  s.tcp.reset();
  s.io.reset();
  s.closeAll();
  s.running = false;
}

void DnsServer::installSnapshot(std::shared_ptr<const ZoneSet> snapshot) {
  impl_->holder->install(std::move(snapshot));
}

DnsServer::Stats DnsServer::stats() const {
  const auto& c = impl_->counters;
  Stats out;
  out.udp_queries = c.udp_queries.load(std::memory_order_relaxed);
  out.udp_batches = c.udp_batches.load(std::memory_order_relaxed);
  out.tcp_queries = c.tcp_queries.load(std::memory_order_relaxed);
  out.transfers = c.transfers.load(std::memory_order_relaxed);
  out.notifies_sent = c.notifies_sent.load(std::memory_order_relaxed);
  out.notifies_acked = c.notifies_acked.load(std::memory_order_relaxed);
  return out;
}

}  // namespace mailjuke::dns
