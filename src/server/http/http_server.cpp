#include "server/http/http_server.h"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "net/asio.h"
#include "net/listener.h"
#include "net/runtime.h"

namespace mailjuke::server {
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using net::awaitable;
using net::tcp;
using net::use_awaitable;
using net::asio::redirect_error;

namespace {
constexpr size_t kDefaultBodyLimit = 1024 * 1024;

struct Connection {
  beast::tcp_stream stream;
  bool busy = false;  // guarded by Impl::mu
  explicit Connection(tcp::socket s) : stream(std::move(s)) {}
};

http::Request toRequest(const bhttp::request<bhttp::string_body>& in, const std::string& ip) {
  http::Request r;
  r.method = std::string(in.method_string());
  r.target = std::string(in.target());
  auto q = r.target.find('?');
  r.path = r.target.substr(0, q);
  if (q != std::string::npos &&
      !http::parseQuery(std::string_view(r.target).substr(q + 1), r.query))
    r.malformed_query = true;
  for (const auto& f : in) r.headers.add(std::string(f.name_string()), std::string(f.value()));
  r.body = in.body();
  r.remote_ip = ip;
  return r;
}

bhttp::response<bhttp::string_body> toBeast(http::Response&& res, unsigned version, bool keep_alive,
                                            bool head) {
  bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), version};
  for (auto& [k, v] : res.headers.all()) out.insert(k, v);
  out.keep_alive(keep_alive);
  size_t size = res.body.size();
  if (!head) out.body() = std::move(res.body);
  out.content_length(size);
  return out;
}
}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  net::Runtime& rt;
  HttpServerOptions opt;
  HttpHandler& handler;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::atomic<bool> stopping{false};
  std::atomic<size_t> open{0};
  std::atomic<size_t> in_flight{0};
  std::mutex mu;
  std::set<std::shared_ptr<Connection>> conns;

  Impl(net::Runtime& r, HttpServerOptions o, HttpHandler& h)
      : rt(r), opt(std::move(o)), handler(h) {}

  awaitable<void> acceptLoop() {
    auto self = shared_from_this();
    for (;;) {
      auto& ctx = rt.nextContext();
      tcp::socket sock(ctx);
      boost::system::error_code ec;
      co_await acceptor->async_accept(sock, redirect_error(use_awaitable, ec));
      if (stopping) co_return;
      if (ec) {
        if (ec == net::asio::error::operation_aborted) co_return;
        continue;  // e.g. EMFILE: keep accepting
      }
      if (open.load() >= opt.max_connections) {
        sock.close(ec);  // over the cap: refuse rather than queue without bound
        continue;
      }
      sock.set_option(tcp::no_delay(true), ec);
      auto conn = std::make_shared<Connection>(std::move(sock));
      {
        std::lock_guard lk(mu);
        conns.insert(conn);
      }
      ++open;
      net::asio::co_spawn(ctx, session(conn), net::asio::detached);
    }
  }

  // After refusing a request early (413, 431) the client may still be sending: read and discard
  // a bounded amount so it sees our answer instead of a connection reset.
  awaitable<void> drain(Connection& conn) {
    boost::system::error_code ec;
    conn.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    std::array<char, 16384> scratch;
    size_t total = 0;
    conn.stream.expires_after(std::chrono::seconds(2));
    while (!ec && total < 8 * 1024 * 1024) {
      total += co_await conn.stream.async_read_some(net::asio::buffer(scratch),
                                                    redirect_error(use_awaitable, ec));
    }
  }

  awaitable<void> session(std::shared_ptr<Connection> conn) {
    auto self = shared_from_this();
    std::string ip;
    {
      boost::system::error_code ec;
      auto ep = conn->stream.socket().remote_endpoint(ec);
      if (!ec) ip = ep.address().to_string();
    }
    beast::flat_buffer buf;
    for (;;) {
      if (stopping) break;
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(opt.header_limit));
      parser.body_limit(kDefaultBodyLimit);
      boost::system::error_code ec;
      conn->stream.expires_after(buf.size() ? opt.read_timeout : opt.idle_timeout);
      co_await bhttp::async_read_header(conn->stream, buf, parser,
                                        redirect_error(use_awaitable, ec));
      if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
          ec == net::asio::error::operation_aborted || ec == net::asio::error::connection_reset ||
          ec == net::asio::error::eof)
        break;
      {
        std::lock_guard lk(mu);
        conn->busy = true;
      }
      ++in_flight;
      int reject_status = 0;
      std::string reject_detail;
      if (ec == bhttp::error::header_limit) {
        reject_status = 431, reject_detail = "request header fields exceed 16 KiB";
      } else if (ec) {
        reject_status = 400, reject_detail = "malformed HTTP request";
      } else {
        auto& h = parser.get();
        size_t limit = handler.bodyLimit(std::string(h.method_string()), std::string(h.target()));
        parser.body_limit(limit);
        auto declared = parser.content_length();
        if (declared && *declared > limit) {
          ec = bhttp::error::body_limit;  // refuse before reading a byte of it
        } else {
          conn->stream.expires_after(opt.read_timeout);
          co_await bhttp::async_read(conn->stream, buf, parser, redirect_error(use_awaitable, ec));
        }
        if (ec == bhttp::error::body_limit) {
          reject_status = 413,
          reject_detail = "request body exceeds " + std::to_string(limit) + " bytes";
        } else if (ec) {
          --in_flight;
          break;  // timeout or reset in the middle of a body
        }
      }
      bool keep = !reject_status && parser.get().keep_alive() && !stopping;
      unsigned version = parser.is_header_done() ? parser.get().version() : 11;
      bool head = parser.is_header_done() && parser.get().method() == bhttp::verb::head;
      http::Request req = parser.is_header_done() ? toRequest(parser.get(), ip) : http::Request{};
      req.remote_ip = ip;
      http::Response res;
      try {
        if (reject_status) {
          res = co_await net::offload(
              rt.workers(), [&] { return handler.reject(req, reject_status, reject_detail); });
        } else if (auto fast = handler.handleFast(req)) {
          res = std::move(*fast);
        } else {
          res = co_await net::offload(rt.workers(), [&] { return handler.handle(req); });
        }
      } catch (const std::exception&) {
        res = http::Response::text(500, "text/plain", "internal error");
      }
      auto out = toBeast(std::move(res), version, keep, head);
      conn->stream.expires_after(opt.read_timeout);
      co_await bhttp::async_write(conn->stream, out, redirect_error(use_awaitable, ec));
      --in_flight;
      {
        std::lock_guard lk(mu);
        conn->busy = false;
      }
      if (!ec && reject_status) co_await drain(*conn);
      if (ec || !keep) break;
    }
    boost::system::error_code ignored;
    conn->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    conn->stream.socket().close(ignored);
    {
      std::lock_guard lk(mu);
      conns.erase(conn);
    }
    --open;
  }
};

HttpServer::HttpServer(net::Runtime& runtime, HttpServerOptions options, HttpHandler& handler)
    : impl_(std::make_shared<Impl>(runtime, std::move(options), handler)) {}

HttpServer::~HttpServer() = default;

std::string HttpServer::start() {
  auto& ctx = impl_->rt.mainContext();
  auto opened = net::openListener(ctx, impl_->opt.listen, "http.listen");
  if (!opened.ok()) throw std::runtime_error("http.listen: " + opened.error().message);
  impl_->acceptor = std::move(opened->acceptor);
  net::asio::co_spawn(ctx, impl_->acceptLoop(), net::asio::detached);
  return opened->address;
}

void HttpServer::shutdown(std::chrono::milliseconds grace) {
  auto impl = impl_;
  impl->stopping = true;
  net::asio::post(impl->acceptor->get_executor(), [impl] {
    boost::system::error_code ec;
    impl->acceptor->close(ec);
  });
  auto deadline = std::chrono::steady_clock::now() + grace;
  // Close idle keep-alive connections now; busy ones close after their response.
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard lk(impl->mu);
      for (auto& c : impl->conns)
        if (!c->busy) net::asio::post(c->stream.get_executor(), [c] { c->stream.cancel(); });
    }
    if (impl->open.load() == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

size_t HttpServer::openConnections() const { return impl_->open.load(); }

}  // namespace mailjuke::server
