#include "net/https_client.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

#include "net/asio.h"

namespace mailjuke::net {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

struct Url {
  std::string host, port = "443", target = "/";
};

Result<Url> parseUrl(const std::string& url) {
  constexpr std::string_view kScheme = "https://";
  if (!url.starts_with(kScheme)) return Error::invalid("url", "only https:// URLs are allowed");
  Url u;
  std::string rest = url.substr(kScheme.size());
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) u.target = rest.substr(slash);
  if (authority.starts_with('[')) {  // [v6]:port
    size_t close = authority.find(']');
    if (close == std::string::npos) return Error::invalid("url", "bad IPv6 host");
    u.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      u.port = authority.substr(close + 2);
  } else if (size_t colon = authority.rfind(':'); colon != std::string::npos) {
    u.host = authority.substr(0, colon);
    u.port = authority.substr(colon + 1);
  } else {
    u.host = authority;
  }
  if (u.host.empty() || u.port.empty() || authority.find('@') != std::string::npos)
    return Error::invalid("url", "needs a host");
  return u;
}

Error unavailable(const Url& u, const std::string& what, const boost::system::error_code& ec) {
  return Error::make(ErrorCode::kUnavailable,
                     what + " " + u.host + ":" + u.port + " failed: " + ec.message());
}

}  // namespace

Result<HttpsResponse> httpsRequest(const HttpsRequest& r) {
  MJ_TRY_ASSIGN(Url u, parseUrl(r.url));
  ssl::context ctx{ssl::context::tls_client};
  ctx.set_options(ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                  ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  if (r.ca_file.empty())
    ctx.set_default_verify_paths(ec);
  else
    ctx.load_verify_file(r.ca_file, ec);
  if (ec)
    return Error::make(ErrorCode::kUnavailable,
                       "cannot load trusted certificates " + r.ca_file + ": " + ec.message());
  ctx.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);

  asio::io_context io;
  beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
  // The certificate must name the host: an IP address matches an IP SAN, a name a DNS SAN/CN.
  X509_VERIFY_PARAM* param = SSL_get0_param(stream.native_handle());
  asio::ip::make_address(u.host, ec);
  bool is_ip = !ec;
  ec.clear();
  int set = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, u.host.c_str())
                  : X509_VERIFY_PARAM_set1_host(param, u.host.c_str(), u.host.size());
  if (set != 1) return Error::invalid("url", "bad host " + u.host);
  if (!is_ip && !SSL_set_tlsext_host_name(stream.native_handle(), u.host.c_str()))
    return Error::invalid("url", "bad host " + u.host);

  auto deadline = std::chrono::steady_clock::now() + r.timeout;
  auto& tcp_layer = beast::get_lowest_layer(stream);
  tcp_layer.expires_at(deadline);
  std::optional<Error> failure;
  auto step = [&](const char* what) -> bool {
    io.restart();
    io.run_until(deadline + std::chrono::seconds(1));
    if (!io.stopped()) {  // tcp_stream's timer should have fired; be defensive
      tcp_layer.close();
      io.restart();
      io.run();
    }
    if (ec) failure = unavailable(u, what, ec);
    return !ec;
  };

  tcp::resolver resolver(io);
  tcp::resolver::results_type endpoints;
  resolver.async_resolve(u.host, u.port, [&](boost::system::error_code e, auto results) {
    ec = e;
    endpoints = std::move(results);
  });
  if (!step("resolving")) return *failure;
  tcp_layer.async_connect(endpoints, [&](boost::system::error_code e, auto) { ec = e; });
  if (!step("connecting to")) return *failure;
  stream.async_handshake(ssl::stream_base::client, [&](boost::system::error_code e) { ec = e; });
  if (!step("TLS handshake with")) return *failure;

  bhttp::request<bhttp::string_body> req;
  req.method_string(r.method);
  req.target(u.target);
  req.version(11);
  req.set(bhttp::field::host, u.host);
  req.set(bhttp::field::user_agent, "MailJuke");
  req.set(bhttp::field::connection, "close");
  for (const auto& [k, v] : r.headers) req.set(k, v);
  req.body() = r.body;
  if (r.method != "GET" || !r.body.empty()) req.prepare_payload();
  bhttp::async_write(stream, req, [&](boost::system::error_code e, size_t) { ec = e; });
  if (!step("sending to")) return *failure;

  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(r.max_body);
  bhttp::async_read(stream, buffer, parser, [&](boost::system::error_code e, size_t) { ec = e; });
  if (!step("reading the answer from")) return *failure;
  HttpsResponse out{static_cast<int>(parser.get().result_int()), std::move(parser.get().body())};
  // A polite close; its outcome does not matter once the answer is in.
  tcp_layer.expires_after(std::chrono::milliseconds(500));
  stream.async_shutdown([](boost::system::error_code) {});
  io.restart();
  io.run_for(std::chrono::seconds(1));
  return out;
}

}  // namespace mailjuke::net
