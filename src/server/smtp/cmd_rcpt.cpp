// RCPT TO (RFC 5321 §4.1.1.3).
#include "server/smtp/smtp_replies.h"
#include "server/smtp/smtp_session.h"

namespace mailjuke::smtp {

void SmtpSession::cmdRcpt(const Command& c) {
  if (!have_mail_) return error("503 5.5.1 Error: need MAIL command");  // §3.3
  if (!c.params.empty())  // no DSN (RFC 3461) advertised
    return error("555 5.5.4 Error: unsupported RCPT parameter " + c.params.begin()->first);
  if (c.path.utf8 && !smtputf8_) return error(reply::kNonAsciiAddress);  // RFC 6531 §3.5
  // §4.5.3.1.8: 452 for too many recipients; the client retries the rest later.
  if (rcpt_to_.size() >= opt_.max_recipients) return reply("452 4.5.3 Error: too many recipients");
  std::string address = c.path.text();
  switch (backend_.inboundRecipient(address)) {
    case core::RcptVerdict::kAccept:
      // A hosted mailbox: is it full? (SQL: worker pool, then finishRcpt.)
      p_rcpt_ = std::move(address);
      pending_ = Pending::kRcptQuota;
      return;
    case core::RcptVerdict::kUnknownUser:  // RFC 3463 X.1.1: bad destination mailbox
      // Also on submission: a hosted domain's missing mailbox is known now, not after a
      // round trip through the queue and a bounce.
      return error("550 5.1.1 <" + address + ">: Recipient address rejected: User unknown");
    case core::RcptVerdict::kRelayDenied:  // RFC 5321 §3.6.2: we are no open relay
      if (!submission()) return error("554 5.7.1 <" + address + ">: Relay access denied");
      break;  // submission relays for its authenticated sender: the outbound queue delivers it
  }
  rcpt_to_.push_back(std::move(address));
  reply("250 2.1.5 Ok");
}

void SmtpSession::finishRcpt() {
  std::string address = std::exchange(p_rcpt_, {});
  if (p_threw_ || !p_full_.ok()) return reply(reply::forError(Error::internal("")));
  // RFC 5321 §4.5.3.1.10 / RFC 3463 X.2.2: this recipient only, and temporarily; the others of
  // the transaction are still accepted and the client retries this one later.
  if (*p_full_) return reply("452 4.2.2 <" + address + ">: Mailbox full, try again later");
  rcpt_to_.push_back(std::move(address));
  reply("250 2.1.5 Ok");
}

}  // namespace mailjuke::smtp
