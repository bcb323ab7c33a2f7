// HELO, EHLO (RFC 5321 §4.1.1.1) and STARTTLS (RFC 3207).
#include "server/smtp/smtp_replies.h"
#include "server/smtp/smtp_session.h"

namespace mailjuke::smtp {

void SmtpSession::cmdHelo(const Command& c, bool extended) {
  // RFC 5321 §4.1.4: HELO/EHLO mid-transaction resets it, as RSET would.
  resetTransaction();
  helo_ = c.argument;
  ehlo_ = extended;
  if (!extended) return reply("250 " + opt_.hostname);
  reply("250-" + opt_.hostname);
  reply("250-PIPELINING");                                      // RFC 2920
  reply("250-SIZE " + std::to_string(opt_.max_message_bytes));  // RFC 1870
  reply("250-8BITMIME");                                        // RFC 6152
  reply("250-ENHANCEDSTATUSCODES");                             // RFC 2034
  if (!tls_ && opt_.tls_available) reply("250-STARTTLS");       // RFC 3207
  // RFC 4954 §4 / RFC 8314: credentials only over TLS (or loopback in development).
  if (submission() && mayAuthenticate()) reply("250-AUTH PLAIN LOGIN");
  reply("250 SMTPUTF8");  // RFC 6531
}

void SmtpSession::cmdStartTls() {
  if (tls_) return error("503 5.5.1 Error: TLS already active");
  if (!opt_.tls_available) return reply("454 4.7.0 TLS not available");
  reply("220 2.0.0 Ready to start TLS");
  // RFC 3207 §4.2 (and the 2011 STARTTLS command-injection bugs): anything the client sent
  // after STARTTLS in the clear must not be executed after the handshake.
  in_.clear();
  discarding_ = false;
  tls_pending_ = true;
}

}  // namespace mailjuke::smtp
