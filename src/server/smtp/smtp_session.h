// One SMTP session as a sans-I/O state machine (RFC 5321): bytes in, reply text out, plus
// "steps" telling the I/O driver what to do next (read more, run blocking backend work on the
// worker pool, start TLS, close). The driver (smtp_server.cpp) owns sockets and timers; tests and
// the fuzz target drive the session directly.
//
// Thread-safety: none; the driver never touches a session from two threads at once (it calls
// runBlocking() on the worker pool while the network side is suspended).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "core/mail/intake.h"
#include "proto/smtp/command.h"
#include "proto/smtp/data_reader.h"
#include "server/smtp/smtp_backend.h"

namespace mailjuke::smtp {

enum class ListenerKind { kMx, kSubmission, kSubmissions };

struct SessionOptions {
  ListenerKind kind = ListenerKind::kMx;
  std::string hostname = "mail.mailjuke.test";
  std::string client_ip;
  size_t max_message_bytes = 25 * 1024 * 1024;
  size_t max_recipients = 100;
  size_t max_errors = 10;          // then 421 and close
  bool tls_available = true;       // STARTTLS offered (a certificate is loaded)
  bool tls_active = false;         // implicit TLS (submissions) is already up
  bool plaintext_auth_ok = false;  // allow_plaintext_auth_on_loopback and a loopback peer
};

class SmtpSession {
 public:
  enum class Step {
    kNeedInput,  // flush output, then read and feed() more bytes
    kBlocking,   // call runBlocking() on the worker pool, then process() again
    kStartTls,   // flush output, run the TLS handshake, then tlsEstablished()
    kClose,      // flush output and close the connection
  };

  SmtpSession(SessionOptions options, SmtpBackend& backend);

  void greet();                       // 220 (after the TLS handshake on implicit TLS)
  void feed(std::string_view bytes);  // appends to the input buffer
  // Handles buffered input in order until it needs more, blocking work, TLS or closing.
  // With `stopping`, the next command is answered 421 4.3.2 and the session closes.
  Step process(bool stopping = false);
  void runBlocking();     // the pending backend call (AUTH, daily limit, end of DATA)
  void tlsEstablished();  // RFC 3207 §4.2: forget everything learnt before TLS
  void timedOut();        // 421 4.4.2, then kClose
  void shutdownNow();     // 421 4.3.2, then kClose

  std::string takeOutput() { return std::exchange(out_, {}); }
  const std::string& output() const { return out_; }
  bool inData() const { return data_.has_value(); }
  // Waiting for a command with nothing half-done: safe to interrupt for shutdown.
  bool idle() const { return !data_ && pending_ == Pending::kNone && auth_ == AuthStage::kNone; }
  bool closing() const { return closing_; }
  bool tls() const { return tls_; }
  uint64_t progress() const { return progress_; }  // lines handled so far (timeout renewal)
  const std::shared_ptr<const core::MailAccount>& account() const { return account_; }

 private:
  enum class Pending { kNone, kAuth, kDailyLimit, kRcptQuota, kDeliver };
  enum class AuthStage { kNone, kPlain, kLoginUser, kLoginPassword };

  void reply(std::string_view line);  // one reply line, CRLF added
  void error(std::string_view line);  // a 5xx for bad input: counts towards max_errors
  void handleLine(std::string_view line);
  void resetTransaction();
  bool submission() const { return opt_.kind != ListenerKind::kMx; }
  bool mayAuthenticate() const { return tls_ || opt_.plaintext_auth_ok; }

  // One command each (cmd_*.cpp).
  void cmdHelo(const Command& c, bool extended);
  void cmdStartTls();
  void cmdAuth(const Command& c);
  void authContinue(std::string_view line);
  void authPlain(std::string_view b64);
  void startAuth(std::string user, std::string password);
  void finishAuth();
  void cmdMail(const Command& c);
  void finishMail();
  void cmdRcpt(const Command& c);
  void finishRcpt();
  void cmdData();
  void finishData();
  void finishDeliver();
  void cmdSimple(const Command& c);  // RSET NOOP QUIT VRFY EXPN HELP BDAT

  SessionOptions opt_;
  SmtpBackend& backend_;
  std::string in_;
  std::string out_;
  bool discarding_ = false;  // inside an over-long line (RFC 5321 §4.5.3.1.4)
  bool closing_ = false;
  bool tls_ = false;
  bool stopping_ = false;
  bool tls_pending_ = false;  // STARTTLS accepted: hand over to the driver
  size_t errors_ = 0;
  uint64_t progress_ = 0;

  std::string helo_;
  bool ehlo_ = false;
  std::shared_ptr<const core::MailAccount> account_;
  AuthStage auth_ = AuthStage::kNone;
  std::string auth_user_;

  // The mail transaction (RFC 5321 §3.3).
  bool have_mail_ = false;
  std::string mail_from_;
  bool smtputf8_ = false;
  uint64_t declared_size_ = 0;  // MAIL FROM SIZE= (RFC 1870), 0 when not given
  std::vector<std::string> rcpt_to_;
  std::optional<DataReader> data_;

  // Blocking work and its result.
  Pending pending_ = Pending::kNone;
  bool pending_done_ = false;
  bool p_threw_ = false;  // the backend threw: a temporary failure
  std::string p_user_, p_password_, p_message_;
  std::string p_rcpt_;  // the recipient whose quota is being checked
  Result<bool> p_full_ = false;
  std::pair<core::MailAuthResult, std::shared_ptr<const core::MailAccount>> p_auth_;
  Result<bool> p_limit_ = false;
  Result<std::string> p_queued_ = std::string();
};

}  // namespace mailjuke::smtp
