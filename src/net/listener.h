// One TCP listening socket from a "host:port" setting (port 0: any free port), shared by the
// HTTP, SMTP and IMAP servers. Include only from net/ and server/ sources (it pulls in Asio).
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "net/asio.h"

namespace mailjuke::net {

struct OpenListener {
  std::unique_ptr<tcp::acceptor> acceptor;
  std::string address;  // the bound "host:port" (the chosen port when 0 was asked for)
};

// Opens, binds (SO_REUSEADDR) and listens on `listen`. Errors are kInvalid naming `option`
// (e.g. "smtp.mx_listen") so start-up reports which setting is wrong.
Result<OpenListener> openListener(asio::io_context& ctx, const std::string& listen,
                                  const std::string& option);

}  // namespace mailjuke::net
