// RSET, NOOP, QUIT, VRFY, EXPN, HELP, BDAT (RFC 5321 §4.1.1.5 – §4.1.1.10).
#include "server/smtp/smtp_replies.h"
#include "server/smtp/smtp_session.h"

namespace mailjuke::smtp {

void SmtpSession::cmdSimple(const Command& c) {
  switch (c.verb) {
    case Verb::kRset:  // §4.1.1.5
      resetTransaction();
      return reply("250 2.0.0 Ok");
    case Verb::kNoop:  // §4.1.1.9
      return reply("250 2.0.0 Ok");
    case Verb::kQuit:  // §4.1.1.10
      reply("221 2.0.0 Bye");
      closing_ = true;
      return;
    case Verb::kVrfy:  // §3.5.3: 252 rather than disclosing mailboxes
      return reply("252 2.5.2 Cannot VRFY user, but will accept message and attempt delivery");
    case Verb::kHelp:  // §4.1.1.8
      return reply("214 2.0.0 See RFC 5321; commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT");
    case Verb::kExpn:  // §3.5.2: not offered
    case Verb::kBdat:  // RFC 3030: CHUNKING is not advertised
      return error(reply::kNotImplemented);
    default:
      return error(reply::kUnknown);
  }
}

}  // namespace mailjuke::smtp
