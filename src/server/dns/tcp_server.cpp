#include "server/dns/tcp_server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstring>

#include "proto/dns/answer.h"
#include "proto/dns/transfer.h"

namespace mailjuke::dns {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct TcpServer::Connection {
  Connection(tcp::socket s, asio::io_context& io) : socket(std::move(s)), timer(io) {}
  tcp::socket socket;
  asio::steady_timer timer;
  Clock::time_point deadline;
  std::vector<uint8_t> in = std::vector<uint8_t>(4096);
  size_t start = 0, end = 0;  // unread bytes are in[start, end)
  std::vector<uint8_t> out;
  bool transfer_allowed = false;
  bool close_after = false;
};

TcpServer::TcpServer(asio::io_context& io, tcp::acceptor acceptor, SnapshotHolder& holder,
                     const DnsServerOptions& options, std::vector<asio::ip::address> allow,
                     ServerCounters& counters)
    : io_(io),
      acceptor_(std::move(acceptor)),
      holder_(holder),
      options_(options),
      transfer_allow_(std::move(allow)),
      counters_(counters),
      reply_(kMaxMessageSize) {}

void TcpServer::start() { asio::co_spawn(io_, acceptLoop(), asio::detached); }

bool TcpServer::transferAllowed(const asio::ip::address& peer) const {
  asio::ip::address a = peer;
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  for (const auto& allowed : transfer_allow_)
    if (allowed == a) return true;
  return false;
}

asio::awaitable<void> TcpServer::acceptLoop() {
  asio::steady_timer backoff(io_);
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket =
        co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) {  // e.g. out of descriptors: do not spin
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    // RFC 7766 §6.2.2: servers may limit connections; beyond the limit, close at once.
    if (connections_ >= options_.max_tcp_connections) {
      socket.close(ec);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto c = std::make_shared<Connection>(std::move(socket), io_);
    auto peer = c->socket.remote_endpoint(ec);
    c->transfer_allowed = !ec && transferAllowed(peer.address());
    c->deadline = Clock::now() + options_.tcp_idle_timeout;
    ++connections_;
    asio::co_spawn(io_, serve(c), asio::detached);
    asio::co_spawn(io_, watchdog(c), asio::detached);
  }
}

asio::awaitable<void> TcpServer::serve(std::shared_ptr<Connection> c) {
  try {
    while (!c->close_after) {
      if (c->end == c->in.size()) {  // make room: compact, then grow for a long frame
        std::memmove(c->in.data(), c->in.data() + c->start, c->end - c->start);
        c->end -= c->start;
        c->start = 0;
        if (c->end == c->in.size()) c->in.resize(std::min<size_t>(c->in.size() * 2, 65537));
      }
      size_t n = co_await c->socket.async_read_some(
          asio::buffer(c->in.data() + c->end, c->in.size() - c->end), asio::use_awaitable);
      c->end += n;
      c->deadline = Clock::now() + options_.tcp_idle_timeout;
      answerFrames(*c);
      if (!c->out.empty()) {
        // Replies to every complete pipelined query go out in one write (RFC 7766 §6.2.1.1).
        co_await asio::async_write(c->socket, asio::buffer(c->out), asio::use_awaitable);
        c->out.clear();
        c->deadline = Clock::now() + options_.tcp_idle_timeout;
      }
    }
  } catch (const std::exception&) {
    // Peer closed or reset: nothing to report.
  }
  --connections_;
  boost::system::error_code ec;
  c->socket.close(ec);
  c->timer.cancel();
}

asio::awaitable<void> TcpServer::watchdog(std::shared_ptr<Connection> c) {
  while (c->socket.is_open()) {
    c->timer.expires_at(c->deadline);
    boost::system::error_code ec;
    co_await c->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (c->socket.is_open() && c->deadline <= Clock::now()) {
      c->socket.close(ec);  // RFC 7766 §6.2.3: idle timeout
      break;
    }
  }
}

void TcpServer::answerFrames(Connection& c) {
  std::shared_ptr<const ZoneSet> snapshot;
  while (c.end - c.start >= 2) {
    const uint8_t* frame = c.in.data() + c.start;
    size_t length = (static_cast<size_t>(frame[0]) << 8) | frame[1];
    if (length < kHeaderSize) {  // cannot be a DNS message: give up on this stream
      c.close_after = true;
      break;
    }
    if (c.end - c.start < 2 + length) {
      if (c.in.size() - c.start < 2 + length) {  // the frame does not fit: grow and compact
        std::memmove(c.in.data(), frame, c.end - c.start);
        c.end -= c.start;
        c.start = 0;
        if (c.in.size() < 2 + length) c.in.resize(2 + length);
      }
      break;
    }
    if (!snapshot) snapshot = holder_.get();
    AnswerOptions opts;
    opts.tcp = true;
    opts.max_udp_payload = options_.max_udp_payload;
    opts.transfer_allowed = c.transfer_allowed;
    Answer a = answerQuery(*snapshot, frame + 2, length, reply_.data(), reply_.size(), opts);
    counters_.tcp_queries.fetch_add(1, std::memory_order_relaxed);
    auto append = [&c](const uint8_t* data, size_t size) {
      c.out.push_back(static_cast<uint8_t>(size >> 8));
      c.out.push_back(static_cast<uint8_t>(size & 0xFF));
      c.out.insert(c.out.end(), data, data + size);
    };
    if (a.action == Answer::Action::kReply) {
      append(reply_.data(), a.size);
    } else if (a.action == Answer::Action::kTransfer) {
      counters_.transfers.fetch_add(1, std::memory_order_relaxed);
      auto query = std::string_view(reinterpret_cast<const char*>(frame + 2), length);
      for (const auto& m : buildTransfer(*snapshot, a.zone, query))
        append(reinterpret_cast<const uint8_t*>(m.data()), m.size());
    }
    c.start += 2 + length;
  }
  if (c.start == c.end) c.start = c.end = 0;
}

}  // namespace mailjuke::dns
