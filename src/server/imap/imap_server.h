// The IMAP listeners: 143 with STARTTLS and 993 with implicit TLS (RFC 8314). Sessions are
// C++20 coroutines on the net runtime; every backend call (login's Argon2id, SQL, blob reads)
// is offloaded to the worker pool. Mail data comes from the backend (core::ImapStore); this
// layer speaks RFC 9051.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "base/json.h"
#include "base/result.h"
#include "net/runtime.h"
#include "server/imap/imap_backend.h"

namespace mailjuke::imap {

struct ImapServerOptions {
  std::string listen;        // STARTTLS; "" disables the listener
  std::string imaps_listen;  // implicit TLS
  std::string hostname = "mail.mailjuke.test";
  std::string tls_cert_file;  // PEM
  std::string tls_key_file;
  size_t max_connections = 5000;
  size_t max_connections_per_ip = 50;
  // Authenticated sessions per mailbox; one more login answers NO [LIMIT] (RFC 9051 §7.1).
  size_t max_connections_per_user = 20;
  bool allow_plaintext_auth_on_loopback = false;  // development only
  std::chrono::seconds login_timeout{60};         // before authentication
  std::chrono::seconds idle_timeout{30 * 60};     // RFC 9051 §5.4: at least 30 minutes
  std::chrono::seconds write_timeout{300};        // one response batch (a large FETCH)
};

class ImapServer {
 public:
  ImapServer(net::Runtime& runtime, ImapServerOptions options, ImapBackend& backend);
  ~ImapServer();

  // Binds the enabled listeners; returns {"imap": "ip:port", "imaps": …}. Errors name the
  // option that failed.
  Result<Json> start();
  // Stops accepting; idle sessions get "* BYE" now, busy ones after their command.
  void shutdown(std::chrono::milliseconds grace);
  size_t openConnections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mailjuke::imap
