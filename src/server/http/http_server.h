// HTTP/1.1 server over Beast: keep-alive, header and body limits, read/idle timeouts, a
// connection cap, and graceful shutdown. Requests are handed to a Handler on the worker pool,
// so handlers may block (SQL); network threads only parse and write.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "proto/http/message.h"

namespace mailjuke::net {
class Runtime;
}

namespace mailjuke::server {

struct HttpServerOptions {
  std::string listen = "127.0.0.1:8080";
  size_t header_limit = 16 * 1024;
  size_t max_connections = 10000;
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds idle_timeout{75};
};

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // Largest body the route for this request accepts (called after the header is read).
  virtual size_t bodyLimit(const std::string& method, const std::string& target) = 0;
  // Produces the response. Runs on the worker pool. Must not throw.
  virtual http::Response handle(http::Request& request) = 0;
  // Answers on the network thread when the answer is already in memory; nullopt otherwise.
  // Must never block.
  virtual std::optional<http::Response> handleFast(http::Request&) { return std::nullopt; }
  // Answers a request the server rejected before the handler (limits, parse errors).
  virtual http::Response reject(http::Request& request, int status, const std::string& detail) = 0;
};

class HttpServer {
 public:
  HttpServer(net::Runtime& runtime, HttpServerOptions options, HttpHandler& handler);
  ~HttpServer();
  // Binds and starts accepting; returns the bound "ip:port".
  std::string start();
  // Stops accepting, lets in-flight requests finish (up to `grace`), closes idle connections.
  void shutdown(std::chrono::milliseconds grace);
  size_t openConnections() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace mailjuke::server
