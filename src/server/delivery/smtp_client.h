// The outbound SMTP client (RFC 5321): one connection to one destination host, EHLO (HELO
// fallback), opportunistic STARTTLS (RFC 3207; no certificate verification, plain when the
// server does not offer it), then any number of mail transactions (RSET between them, so a
// connection can be reused for the next message to the same destination).
//
// Thread-safety: a session belongs to one coroutine at a time, on one executor.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "net/asio.h"

namespace mailjuke::delivery {

// RFC 5321 §4.2: a reply, possibly multiline ("250-a" ... "250 b").
struct SmtpReply {
  int code = 0;                    // 0: no reply (connection failure, timeout, garbage)
  std::vector<std::string> lines;  // text after "ddd-" / "ddd "
  std::string text() const;        // "550 5.1.1 text" (lines joined with "; ")
  bool positive() const { return code >= 200 && code < 400; }
  bool permanent() const { return code >= 500 && code < 600; }
};

enum class RecipientState { kDelivered, kPermanent, kTemporary };

struct RecipientOutcome {
  std::string address;
  RecipientState state = RecipientState::kTemporary;
  std::string reply;  // the reply that decided it, or a local description
};

struct TransactionResult {
  std::vector<RecipientOutcome> recipients;
  // True when the failure happened before any recipient was looked at by the server
  // (connection lost, MAIL FROM refused with 4xx): another MX may do better.
  bool try_next_host = false;
};

struct ClientOptions {
  std::string helo = "mail.mailjuke.test";
  bool try_starttls = true;
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(30)};
  std::chrono::milliseconds command_timeout{std::chrono::seconds(300)};  // §4.5.3.2
};

class SmtpSession : public std::enable_shared_from_this<SmtpSession> {
 public:
  // Connects and greets; an error reply or failure is returned in `failure` with nullptr.
  // Pass named values (g++ 12 destroys converted temporaries given to coroutines twice).
  static net::awaitable<std::shared_ptr<SmtpSession>> open(net::asio::any_io_executor executor,
                                                           net::tcp::endpoint endpoint,
                                                           ClientOptions options,
                                                           SmtpReply& failure);
  ~SmtpSession();

  // One mail transaction; RSET first when the session was used before. Never throws.
  net::awaitable<TransactionResult> send(const std::string& envelope_from,
                                         const std::vector<std::string>& recipients,
                                         const std::string& message);
  net::awaitable<void> quit();
  void close();
  bool usable() const { return usable_; }
  bool tls() const { return tls_ != nullptr; }
  const std::string& peer() const { return peer_; }

  struct Impl;

 private:
  SmtpSession(net::asio::any_io_executor executor, ClientOptions options);
  net::awaitable<SmtpReply> command(std::string line);
  net::awaitable<SmtpReply> readReply();
  net::awaitable<bool> write(std::string data);
  net::awaitable<bool> hello();
  void arm(std::chrono::milliseconds timeout);
  void disarm();

  ClientOptions options_;
  net::tcp::socket socket_;
  net::asio::steady_timer timer_;
  std::unique_ptr<Impl> tls_;
  std::string buffer_;
  std::string peer_;
  bool usable_ = false;
  bool used_ = false;
  bool size_ext_ = false;
  bool starttls_ext_ = false;
};

}  // namespace mailjuke::delivery
