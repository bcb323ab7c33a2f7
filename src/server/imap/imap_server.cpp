// The IMAP listeners and the thin coroutine I/O loop around ImapSession (the protocol lives
// there). Mirrors server/smtp/smtp_server.cpp: acceptors on the main context, sessions
// round-robin over the io contexts, caps checked at accept, graceful shutdown.
#include "server/imap/imap_server.h"

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
#include "server/imap/imap_session.h"

namespace mailjuke::imap {
namespace asio = net::asio;
using asio::redirect_error;
using net::awaitable;
using net::tcp;
using net::use_awaitable;
using Clock = std::chrono::steady_clock;
using ErrorCodeT = boost::system::error_code;

namespace {

enum class ListenerKind { kImap, kImaps };

struct Connection {
  tcp::socket sock;
  std::optional<net::ssl::stream<tcp::socket&>> tls;
  asio::steady_timer timer;
  uint64_t timer_gen = 0;  // a stale timer firing after its operation finished is ignored
  bool timed_out = false;
  bool idle = false;     // reading, with nothing half-done; network thread only
  bool reading = false;  // a read is in flight (network thread only)
  bool idling = false;   // ... and the session is in IMAP IDLE: a wake interrupts it
  bool woken = false;    // a wake interrupted the read (not a timeout, not shutdown)
  std::string ip;
  bool loopback = false;
  ListenerKind kind = ListenerKind::kImap;
  // Responses written while the session goes on with its next pipelined command (mbsync sends
  // thousands of FETCHes at once): at most one write in flight, network thread only.
  std::string writing;
  bool write_busy = false;
  ErrorCodeT write_ec;
  asio::steady_timer write_timer;   // the write's deadline
  asio::steady_timer write_waiter;  // cancelled when the write completes
  explicit Connection(tcp::socket s)
      : sock(std::move(s)),
        timer(sock.get_executor()),
        write_timer(sock.get_executor()),
        write_waiter(sock.get_executor()) {}
};

// Output gathered by a run of pipelined commands is written out from this size on, while the
// session carries on; past kMaxPending with a write still in flight the session waits for it
// (a client that does not read holds a bounded amount of the server's memory).
constexpr size_t kStreamFrom = 64 * 1024;
constexpr size_t kMaxPending = 2 * 1024 * 1024;

struct Listener {
  const char* name;    // key in start()'s result
  const char* option;  // for errors
  ListenerKind kind;
  std::unique_ptr<tcp::acceptor> acceptor;
};

}  // namespace

struct ImapServerState : std::enable_shared_from_this<ImapServerState> {
  net::Runtime& rt;
  ImapServerOptions opt;
  ImapBackend& backend;
  std::shared_ptr<net::ssl::context> tls;
  std::vector<Listener> listeners;
  std::atomic<bool> stopping{false};
  std::atomic<size_t> open{0};
  std::mutex mu;  // guards conns and per_ip
  std::set<std::shared_ptr<Connection>> conns;
  std::map<std::string, size_t> per_ip;
  std::map<std::string, size_t> per_user;  // logged-in sessions by mailbox id

  // A session's hold on one of its mailbox's max_connections_per_user slots.
  struct UserSlot {
    std::shared_ptr<ImapServerState> state;
    std::string id;
    ~UserSlot() {
      std::lock_guard lock(state->mu);
      if (--state->per_user[id] == 0) state->per_user.erase(id);
    }
  };
  std::shared_ptr<void> userSlot(const std::string& mailbox_id) {
    std::lock_guard lock(mu);
    size_t& n = per_user[mailbox_id];
    if (n >= opt.max_connections_per_user) {
      if (n == 0) per_user.erase(mailbox_id);
      return nullptr;
    }
    ++n;
    return std::shared_ptr<UserSlot>(new UserSlot{shared_from_this(), mailbox_id});
  }

  ImapServerState(net::Runtime& r, ImapServerOptions o, ImapBackend& b)
      : rt(r), opt(std::move(o)), backend(b) {}

  // Every wait has a deadline; on expiry the socket is cancelled.
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

  // Starts writing `out` without waiting for it; a write must not be in flight already.
  void startWrite(const std::shared_ptr<Connection>& c, std::string out) {
    c->writing = std::move(out);
    c->write_busy = true;
    c->write_timer.expires_after(opt.write_timeout);
    c->write_timer.async_wait([c](ErrorCodeT ec) {
      if (ec || !c->write_busy) return;
      c->timed_out = true;
      ErrorCodeT ignored;
      c->sock.cancel(ignored);
    });
    auto done = [c](ErrorCodeT ec, size_t) {
      c->write_busy = false;
      c->write_ec = ec;
      c->writing = {};
      c->write_timer.cancel();
      c->write_waiter.cancel();
    };
    if (c->tls)
      asio::async_write(*c->tls, asio::buffer(c->writing), done);
    else
      asio::async_write(c->sock, asio::buffer(c->writing), done);
  }

  // Waits for the write in flight, if any; false when it failed.
  static awaitable<bool> writeDone(const std::shared_ptr<Connection>& c) {
    while (c->write_busy) {
      c->write_waiter.expires_at(Clock::time_point::max());
      ErrorCodeT ignored;
      co_await c->write_waiter.async_wait(redirect_error(use_awaitable, ignored));
    }
    co_return !c->write_ec;
  }

  // Between two pipelined commands: writes what is gathered once it is worth a write.
  awaitable<bool> stream(const std::shared_ptr<Connection>& c, ImapSession& s) {
    if (s.output().size() < kStreamFrom) co_return true;
    if (c->write_busy && s.output().size() >= kMaxPending) {
      // (GCC 12 miscompiles a co_await inside a short-circuit condition: kept on its own.)
      bool ok = co_await writeDone(c);
      if (!ok) co_return false;
    }
    if (!c->write_busy) startWrite(c, s.takeOutput());
    co_return true;
  }

  awaitable<bool> flush(const std::shared_ptr<Connection>& c, ImapSession& s) {
    // Responses gathered since the last read go out in one write after any still in flight.
    if (!co_await writeDone(c)) co_return false;
    std::string out = s.takeOutput();
    if (out.empty()) co_return true;
    startWrite(c, std::move(out));
    co_return co_await writeDone(c);
  }

  awaitable<bool> handshake(const std::shared_ptr<Connection>& c) {
    c->tls.emplace(c->sock, *tls);
    ErrorCodeT ec;
    arm(c, Clock::now() + opt.login_timeout);
    co_await c->tls->async_handshake(net::ssl::stream_base::server,
                                     redirect_error(use_awaitable, ec));
    disarm(*c);
    co_return !ec;
  }

  awaitable<void> run(std::shared_ptr<Connection> c) {
    SessionOptions so;
    so.hostname = opt.hostname;
    so.client_ip = c->ip;
    so.tls_available = tls != nullptr;
    so.plaintext_auth_ok = opt.allow_plaintext_auth_on_loopback && c->loopback;
    so.user_slot = [self = shared_from_this()](const std::string& id) {
      return self->userSlot(id);
    };
    if (c->kind == ListenerKind::kImaps) {  // RFC 8314 §3.2: TLS before the greeting
      if (!co_await handshake(c)) co_return;
      so.tls_active = true;
    }
    ImapSession s(std::move(so), backend);
    // A change of the mailbox (another session, SMTP delivery) interrupts the read of an idling
    // session so that process() can report it (RFC 2177); otherwise it waits for the next
    // command. Called from any thread: hops onto this connection's thread.
    std::weak_ptr<Connection> weak = c;
    s.setWake([weak] {
      auto c = weak.lock();
      if (!c) return;
      asio::post(c->sock.get_executor(), [c] {
        if (!c->reading || !c->idling) return;
        c->woken = true;
        ErrorCodeT ignored;
        c->sock.cancel(ignored);
      });
    });
    s.greet();
    std::array<char, 16384> buf;
    uint64_t seen = ~uint64_t(0);
    Clock::time_point deadline;
    for (;;) {
      switch (s.process(stopping.load())) {
        case ImapSession::Step::kBlocking:
          if (!co_await stream(c, s)) co_return;
          co_await net::offload(rt.workers(), [&s] {
            s.runBlocking();
            return true;
          });
          continue;
        case ImapSession::Step::kClose:
          co_await flush(c, s);
          co_return;
        case ImapSession::Step::kStartTls:
          if (!co_await flush(c, s) || !co_await handshake(c)) co_return;
          s.tlsEstablished();
          continue;
        case ImapSession::Step::kNeedInput:
          break;
      }
      if (!co_await flush(c, s)) co_return;
      if (stopping && s.idle()) {
        s.shutdownNow();
        continue;
      }
      // The deadline only moves when a command was handled, so a client trickling one byte at
      // a time still times out (slowloris holds only its own socket). RFC 9051 §5.4: the
      // autologout timer is at least 30 minutes once logged in.
      if (s.progress() != seen) {
        seen = s.progress();
        bool in = s.state() != ImapSession::State::kNotAuthenticated;
        deadline = Clock::now() + (in ? opt.idle_timeout : opt.login_timeout);
      }
      // A change noted while we were writing: report it before waiting (no suspension between
      // this check and the read, so a later wake finds the read in flight).
      if (s.refreshDue()) continue;
      ErrorCodeT ec;
      c->idle = s.idle();
      c->idling = s.idling();
      c->reading = true;
      c->woken = false;
      arm(c, deadline);
      size_t n = c->tls ? co_await c->tls->async_read_some(asio::buffer(buf),
                                                           redirect_error(use_awaitable, ec))
                        : co_await c->sock.async_read_some(asio::buffer(buf),
                                                           redirect_error(use_awaitable, ec));
      disarm(*c);
      c->idle = false;
      c->reading = false;
      if (ec == asio::error::operation_aborted && c->woken && !c->timed_out && !stopping) {
        c->woken = false;
        continue;  // process() reloads the folder and writes the updates
      }
      if (ec) {
        if (c->timed_out) {
          s.timedOut();  // "* BYE" autologout
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
        // RFC 9051 §7.1.5: a BYE greeting refuses the connection. A fresh socket's send buffer
        // takes these few bytes without blocking; on implicit TLS there is no plaintext to say.
        if (l.kind != ListenerKind::kImaps) {
          std::string msg = "* BYE Too many connections, try later\r\n";
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

Result<Json> ImapServerState::start() {
  struct Spec {
    const std::string& listen;
    const char* name;
    const char* option;
    ListenerKind kind;
  };
  const Spec specs[] = {{opt.listen, "imap", "imap.listen", ListenerKind::kImap},
                        {opt.imaps_listen, "imaps", "imap.imaps_listen", ListenerKind::kImaps}};
  if (!opt.tls_cert_file.empty() || !opt.tls_key_file.empty()) {
    auto ctx = net::serverTlsContext(opt.tls_cert_file, opt.tls_key_file, opt.hostname);
    if (!ctx) {
      Error e = ctx.error();
      return Error::invalid("imap.tls_cert_file", e.message);
    }
    tls = *ctx;
  }
  Json out = Json::object();
  for (const auto& spec : specs) {
    if (spec.listen.empty()) continue;
    if (spec.kind == ListenerKind::kImaps && !tls)
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

void ImapServerState::shutdown(std::chrono::milliseconds grace) {
  auto self = shared_from_this();
  stopping = true;
  for (auto& l : listeners) {
    tcp::acceptor* a = l.acceptor.get();
    asio::post(a->get_executor(), [self, a] {
      ErrorCodeT ec;
      a->close(ec);
    });
  }
  // Idle sessions are interrupted now (they say "* BYE"); busy ones finish their command first;
  // whatever is left at the deadline is cut.
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

struct ImapServer::Impl {
  std::shared_ptr<ImapServerState> state;
};

ImapServer::ImapServer(net::Runtime& runtime, ImapServerOptions options, ImapBackend& backend)
    : impl_(std::make_unique<Impl>(
          Impl{std::make_shared<ImapServerState>(runtime, std::move(options), backend)})) {}

ImapServer::~ImapServer() {
  // Sessions still running keep the state alive; the acceptors close on their own thread. A weak
  // reference so a stopped runtime's queue does not keep the state alive.
  auto& s = impl_->state;
  s->stopping = true;
  std::weak_ptr<ImapServerState> weak = s;
  for (auto& l : s->listeners) {
    tcp::acceptor* a = l.acceptor.get();
    asio::post(a->get_executor(), [weak, a] {
      ErrorCodeT ec;
      if (auto alive = weak.lock()) a->close(ec);
    });
  }
}

Result<Json> ImapServer::start() { return impl_->state->start(); }
void ImapServer::shutdown(std::chrono::milliseconds grace) { impl_->state->shutdown(grace); }
size_t ImapServer::openConnections() const { return impl_->state->open.load(); }

}  // namespace mailjuke::imap
