// The SMTP listeners and the thin coroutine I/O loop around SmtpSession (the protocol lives
// there). Patterns follow server/http/http_server.cpp: acceptors on the main context, sessions
// round-robin over the io contexts, caps checked at accept, graceful shutdown.
#include "server/smtp/smtp_server.h"

#include <array>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "net/asio.h"
#include "net/listener.h"
#include "net/tls.h"
#include "server/smtp/smtp_session.h"

namespace mailjuke::smtp {
namespace asio = net::asio;
using asio::redirect_error;
using net::awaitable;
using net::tcp;
using net::use_awaitable;
using Clock = std::chrono::steady_clock;
using ErrorCodeT = boost::system::error_code;

namespace {

struct Connection {
  tcp::socket sock;
  std::optional<net::ssl::stream<tcp::socket&>> tls;
  asio::steady_timer timer;
  uint64_t timer_gen = 0;  // a stale timer firing after its operation finished is ignored
  bool timed_out = false;
  bool idle = false;  // reading, with nothing half-done; network thread only
  std::string ip;
  bool loopback = false;
  ListenerKind kind = ListenerKind::kMx;
  explicit Connection(tcp::socket s) : sock(std::move(s)), timer(sock.get_executor()) {}
};

struct Listener {
  const char* name;    // key in start()'s result
  const char* option;  // for errors
  ListenerKind kind;
  std::unique_ptr<tcp::acceptor> acceptor;
};

}  // namespace

struct SmtpServerState : std::enable_shared_from_this<SmtpServerState> {
  net::Runtime& rt;
  SmtpServerOptions opt;
  SmtpBackend& backend;
  std::shared_ptr<net::ssl::context> tls;
  std::vector<Listener> listeners;
  std::atomic<bool> stopping{false};
  std::atomic<size_t> open{0};
  std::mutex mu;  // guards conns and per_ip
  std::set<std::shared_ptr<Connection>> conns;
  std::map<std::string, size_t> per_ip;

  SmtpServerState(net::Runtime& r, SmtpServerOptions o, SmtpBackend& b)
      : rt(r), opt(std::move(o)), backend(b) {}

  // RFC 5321 §4.5.3.2: every wait has a deadline; on expiry the socket is cancelled.
  void arm(const std::shared_ptr<Connection>& c, Clock::time_point deadline) {
    uint64_t gen = ++c->timer_gen;
    c->timer.expires_at(deadline);
    c->timer.async_wait([c, gen](ErrorCodeT ec) {
      if (ec || gen != c->timer_gen) return;
      c->timed_out = true;
      ErrorCodeT ignored;
      c->sock.cancel(ignored);
    });
  }
  static void disarm(Connection& c) {
    ++c.timer_gen;
    c.timer.cancel();
  }

  awaitable<bool> flush(const std::shared_ptr<Connection>& c, SmtpSession& s) {
    // PIPELINING (RFC 2920 §3.1): all replies gathered since the last read go out in one write.
    std::string out = s.takeOutput();
    if (out.empty()) co_return true;
    ErrorCodeT ec;
    arm(c, Clock::now() + opt.command_timeout);
    if (c->tls)
      co_await asio::async_write(*c->tls, asio::buffer(out), redirect_error(use_awaitable, ec));
    else
      co_await asio::async_write(c->sock, asio::buffer(out), redirect_error(use_awaitable, ec));
    disarm(*c);
    co_return !ec;
  }

  awaitable<bool> handshake(const std::shared_ptr<Connection>& c) {
    c->tls.emplace(c->sock, *tls);
    ErrorCodeT ec;
    arm(c, Clock::now() + opt.command_timeout);
    co_await c->tls->async_handshake(net::ssl::stream_base::server,
                                     redirect_error(use_awaitable, ec));
    disarm(*c);
    co_return !ec;
  }

  awaitable<void> run(std::shared_ptr<Connection> c) {
    SessionOptions so;
    so.kind = c->kind;
    so.hostname = opt.hostname;
    so.client_ip = c->ip;
    so.max_message_bytes = opt.max_message_bytes;
    so.max_recipients = opt.max_recipients;
    so.tls_available = tls != nullptr;
    so.plaintext_auth_ok = opt.allow_plaintext_auth_on_loopback && c->loopback;
    if (c->kind == ListenerKind::kSubmissions) {  // RFC 8314 §3.3: TLS before the greeting
      if (!co_await handshake(c)) co_return;
      so.tls_active = true;
    }
    SmtpSession s(std::move(so), backend);
    s.greet();
    std::array<char, 16384> buf;
    uint64_t seen = ~uint64_t(0);
    Clock::time_point deadline;
    for (;;) {
      switch (s.process(stopping.load())) {
        case SmtpSession::Step::kBlocking:
          co_await net::offload(rt.workers(), [&s] {
            s.runBlocking();
            return true;
          });
          continue;
        case SmtpSession::Step::kClose:
          co_await flush(c, s);
          co_return;
        case SmtpSession::Step::kStartTls:
          if (!co_await flush(c, s) || !co_await handshake(c)) co_return;
          s.tlsEstablished();
          continue;
        case SmtpSession::Step::kNeedInput:
          break;
      }
      if (!co_await flush(c, s)) co_return;
      if (stopping && s.idle()) {
        s.shutdownNow();
        continue;
      }
      // The deadline only moves when a line was handled (or per chunk in DATA), so a client
      // trickling one byte at a time still times out (slowloris holds only its own socket).
      if (s.progress() != seen || s.inData()) {
        seen = s.progress();
        deadline = Clock::now() + (s.inData() ? opt.data_timeout : opt.command_timeout);
      }
      ErrorCodeT ec;
      c->idle = s.idle();
      arm(c, deadline);
      size_t n = c->tls ? co_await c->tls->async_read_some(asio::buffer(buf),
                                                           redirect_error(use_awaitable, ec))
                        : co_await c->sock.async_read_some(asio::buffer(buf),
                                                           redirect_error(use_awaitable, ec));
      disarm(*c);
      c->idle = false;
      if (ec) {
        if (c->timed_out) {
          s.timedOut();  // RFC 5321 §4.5.3.2: 421 4.4.2
          co_await flush(c, s);
        } else if (stopping) {
          s.shutdownNow();
          co_await flush(c, s);
        }
        co_return;
      }
      s.feed(std::string_view(buf.data(), n));
    }
  }

  awaitable<void> session(std::shared_ptr<Connection> c) {
    auto self = shared_from_this();
    try {
      co_await run(c);
    } catch (const std::exception&) {
      // The one catch-all per connection: this session ends, the server stays up.
    }
    disarm(*c);
    ErrorCodeT ignored;
    c->sock.shutdown(tcp::socket::shutdown_both, ignored);
    c->sock.close(ignored);
    {
      std::lock_guard lk(mu);
      conns.erase(c);
      if (--per_ip[c->ip] == 0) per_ip.erase(c->ip);
    }
    --open;
  }

  awaitable<void> acceptLoop(Listener& l) {
    auto self = shared_from_this();
    for (;;) {
      auto& ctx = rt.nextContext();
      tcp::socket sock(ctx);
      ErrorCodeT ec;
      co_await l.acceptor->async_accept(sock, redirect_error(use_awaitable, ec));
      if (stopping) co_return;
      if (ec) {
        if (ec == asio::error::operation_aborted) co_return;
        asio::steady_timer pause(l.acceptor->get_executor(), std::chrono::milliseconds(50));
        co_await pause.async_wait(redirect_error(use_awaitable, ec));  // e.g. EMFILE
        continue;
      }
      auto c = std::make_shared<Connection>(std::move(sock));
      c->kind = l.kind;
      auto ep = c->sock.remote_endpoint(ec);
      if (ec) continue;
      auto addr = ep.address();
      if (addr.is_v6() && addr.to_v6().is_v4_mapped())
        addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
      c->ip = addr.to_string();
      c->loopback = addr.is_loopback();
      bool admitted = false;
      {
        std::lock_guard lk(mu);
        if (open.load() < opt.max_connections && per_ip[c->ip] < opt.max_connections_per_ip) {
          admitted = true;
          ++per_ip[c->ip];
          ++open;
          conns.insert(c);
        } else if (per_ip[c->ip] == 0) {
          per_ip.erase(c->ip);
        }
      }
      if (!admitted) {
        // RFC 5321 §3.1: a server may answer 421 instead of 220. A fresh socket's send buffer
        // takes these few bytes without blocking; on implicit TLS there is no plaintext to say.
        if (l.kind != ListenerKind::kSubmissions) {
          std::string msg = "421 4.7.0 " + opt.hostname + " Too many connections, try later\r\n";
          c->sock.non_blocking(true, ec);
          c->sock.write_some(asio::buffer(msg), ec);
        }
        c->sock.close(ec);
        continue;
      }
      c->sock.set_option(tcp::no_delay(true), ec);
      asio::co_spawn(c->sock.get_executor(), session(c), asio::detached);
    }
  }

  Result<Json> start();
  void shutdown(std::chrono::milliseconds grace);
};

Result<Json> SmtpServerState::start() {
  struct Spec {
    const std::string& listen;
    const char* name;
    const char* option;
    ListenerKind kind;
  };
  const Spec specs[] = {
      {opt.mx_listen, "smtp_mx", "smtp.mx_listen", ListenerKind::kMx},
      {opt.submission_listen, "smtp_submission", "smtp.submission_listen",
       ListenerKind::kSubmission},
      {opt.submissions_listen, "smtps", "smtp.submissions_listen", ListenerKind::kSubmissions}};
  if (!opt.tls_cert_file.empty() || !opt.tls_key_file.empty()) {
    auto ctx = net::serverTlsContext(opt.tls_cert_file, opt.tls_key_file, opt.hostname);
    if (!ctx) {
      Error e = ctx.error();
      return Error::invalid("smtp.tls_cert_file", e.message);
    }
    tls = *ctx;
  }
  Json out = Json::object();
  for (const auto& spec : specs) {
    if (spec.listen.empty()) continue;
    if (spec.kind == ListenerKind::kSubmissions && !tls)
      return Error::invalid(spec.option, "implicit TLS needs tls_cert_file and tls_key_file");
    auto opened = net::openListener(rt.mainContext(), spec.listen, spec.option);
    if (!opened.ok()) {
      listeners.clear();
      return std::move(opened).error();
    }
    out[spec.name] = opened->address;
    Listener l{spec.name, spec.option, spec.kind, std::move(opened->acceptor)};
    listeners.push_back(std::move(l));
  }
  for (auto& l : listeners) asio::co_spawn(rt.mainContext(), acceptLoop(l), asio::detached);
  return out;
}

void SmtpServerState::shutdown(std::chrono::milliseconds grace) {
  auto self = shared_from_this();
  stopping = true;
  for (auto& l : listeners) {
    tcp::acceptor* a = l.acceptor.get();
    asio::post(a->get_executor(), [self, a] {
      ErrorCodeT ec;
      a->close(ec);
    });
  }
  // Idle sessions are interrupted now (they answer 421 4.3.2); busy ones answer their next
  // command; whatever is left at the deadline is cut.
  auto deadline = Clock::now() + grace;
  for (bool last = false; !last;) {
    last = Clock::now() >= deadline;
    {
      std::lock_guard lk(mu);
      for (auto& c : conns)
        asio::post(c->sock.get_executor(), [c, last] {
          ErrorCodeT ec;
          if (c->idle || last) c->sock.cancel(ec);
        });
    }
    if (open.load() == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

struct SmtpServer::Impl {
  std::shared_ptr<SmtpServerState> state;
};

SmtpServer::SmtpServer(net::Runtime& runtime, SmtpServerOptions options, SmtpBackend& backend)
    : impl_(std::make_unique<Impl>(
          Impl{std::make_shared<SmtpServerState>(runtime, std::move(options), backend)})) {}

SmtpServer::~SmtpServer() {
  // Sessions still running keep the state alive; the acceptors close on their own thread. A weak
  // reference so a stopped runtime's queue does not keep the state alive.
  auto& s = impl_->state;
  s->stopping = true;
  std::weak_ptr<SmtpServerState> weak = s;
  for (auto& l : s->listeners) {
    tcp::acceptor* a = l.acceptor.get();
    asio::post(a->get_executor(), [weak, a] {
      ErrorCodeT ec;
      if (auto alive = weak.lock()) a->close(ec);
    });
  }
}

Result<Json> SmtpServer::start() { return impl_->state->start(); }
void SmtpServer::shutdown(std::chrono::milliseconds grace) { impl_->state->shutdown(grace); }
size_t SmtpServer::openConnections() const { return impl_->state->open.load(); }

}  // namespace mailjuke::smtp
