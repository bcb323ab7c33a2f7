#include "net/listener.h"

#include "net/endpoint.h"

namespace mailjuke::net {

Result<OpenListener> openListener(asio::io_context& ctx, const std::string& listen,
                                  const std::string& option) {
  auto hp = parseHostPort(listen);
  if (!hp) return Error::invalid(option, "expected host:port, got " + listen);
  OpenListener out{std::make_unique<tcp::acceptor>(ctx), ""};
  try {
    tcp::endpoint ep(asio::ip::make_address(hp->host), hp->port);
    out.acceptor->open(ep.protocol());
    out.acceptor->set_option(tcp::acceptor::reuse_address(true));
    out.acceptor->bind(ep);
    out.acceptor->listen(asio::socket_base::max_listen_connections);
    auto bound = out.acceptor->local_endpoint();
    out.address = formatHostPort(bound.address().to_string(), bound.port());
  } catch (const std::exception& e) {
    return Error::invalid(option, "cannot listen on " + listen + ": " + e.what());
  }
  return out;
}

}  // namespace mailjuke::net
