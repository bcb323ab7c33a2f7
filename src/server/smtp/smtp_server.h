// The SMTP listeners: MX (inbound, port 25 role), submission with STARTTLS (587) and implicit
// TLS submission (465, RFC 8314). Sessions are C++20 coroutines on the net runtime; every
// blocking step (AUTH's Argon2id on a cache miss, end-of-DATA storage) is offloaded to the
// worker pool. Mail decisions are the backend's (core::MailIntake); this layer speaks RFC 5321.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "base/json.h"
#include "base/result.h"
#include "net/runtime.h"
#include "server/smtp/smtp_backend.h"

namespace mailjuke::smtp {

struct SmtpServerOptions {
  std::string mx_listen;           // "" disables the listener
  std::string submission_listen;   // STARTTLS, AUTH required
  std::string submissions_listen;  // implicit TLS, AUTH required
  std::string hostname = "mail.mailjuke.test";  // greeting and EHLO reply
  std::string tls_cert_file;  // PEM; when missing, a self-signed certificate is generated
  std::string tls_key_file;
  size_t max_message_bytes = 25 * 1024 * 1024;  // SIZE
  size_t max_recipients = 100;
  size_t max_connections = 2000;
  size_t max_connections_per_ip = 100;
  bool allow_plaintext_auth_on_loopback = false;  // development only
  std::chrono::seconds command_timeout{300};  // RFC 5321 §4.5.3.2 (5 min)
  std::chrono::seconds data_timeout{600};     // 10 min between DATA chunks
};

class SmtpServer {
 public:
  SmtpServer(net::Runtime& runtime, SmtpServerOptions options, SmtpBackend& backend);
  ~SmtpServer();

  // Binds the enabled listeners; returns {"smtp_mx": "ip:port", "smtp_submission": …,
  // "smtps": …} with the chosen ports. Errors name the option that failed.
  Result<Json> start();
  // Stops accepting; sessions answer 421 4.3.2 to their next command and close.
  void shutdown(std::chrono::milliseconds grace);
  size_t openConnections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mailjuke::smtp
