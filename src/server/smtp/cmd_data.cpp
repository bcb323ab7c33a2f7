// DATA (RFC 5321 §4.1.1.4, §4.5.2) and the end-of-data hand-over to the backend.
#include "server/smtp/smtp_replies.h"
#include "server/smtp/smtp_session.h"

namespace mailjuke::smtp {
namespace {
// True when a header line (before the first empty line) carries an octet ≥ 0x80.
bool eightBitHeaders(std::string_view msg) {
  size_t end = msg.find("\r\n\r\n");
  if (msg.rfind("\r\n", 0) == 0) return false;  // no header section
  std::string_view head = msg.substr(0, end);
  for (unsigned char c : head)
    if (c >= 0x80) return true;
  return false;
}
}  // namespace

void SmtpSession::cmdData() {
  if (!have_mail_) return error("503 5.5.1 Error: need MAIL command");
  if (rcpt_to_.empty()) return error("554 5.5.1 Error: no valid recipients");  // §3.3
  reply("354 End data with <CR><LF>.<CR><LF>");
  data_.emplace(opt_.max_message_bytes);
}

void SmtpSession::finishData() {
  DataReader r = std::move(*data_);
  data_.reset();
  // The whole message was read either way, so the session stays in step with the client.
  if (r.tooLarge()) {  // RFC 1870 §6.3 (the client ignored SIZE or lied)
    resetTransaction();
    return reply(reply::kMsgTooBig);
  }
  if (r.sawNul()) {  // RFC 5321 §4.5.2 allows no NUL in text; nothing downstream expects it
    resetTransaction();
    return reply("550 5.6.0 Error: message contains NUL octets");
  }
  // RFC 6532 §3 / RFC 6531 §3.7.4: raw UTF-8 headers need SMTPUTF8. On submission we refuse
  // them (we would relay a message receivers may break on); the MX accepts what it is given.
  if (submission() && !smtputf8_ && eightBitHeaders(r.message())) {
    resetTransaction();
    return reply(
        "550 5.6.7 Error: non-ASCII header octets require the SMTPUTF8 parameter on MAIL FROM");
  }
  p_message_ = r.takeMessage();
  pending_ = Pending::kDeliver;  // blob fsync and SQL: worker pool
}

void SmtpSession::finishDeliver() {
  if (p_threw_) {
    reply(reply::forError(Error::internal("")));
  } else if (p_queued_.ok()) {
    reply("250 2.0.0 Ok: queued as " + *p_queued_);
  } else {
    reply(reply::forError(p_queued_.error()));
  }
  resetTransaction();
}

}  // namespace mailjuke::smtp
