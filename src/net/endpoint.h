// "host:port" parsing for listener settings ("127.0.0.1:0", "[::1]:53").
#pragma once

#include <optional>
#include <string>

namespace mailjuke::net {

struct HostPort {
  std::string host;
  unsigned short port = 0;
};
std::optional<HostPort> parseHostPort(const std::string& text);
std::string formatHostPort(const std::string& host, unsigned short port);

}  // namespace mailjuke::net
