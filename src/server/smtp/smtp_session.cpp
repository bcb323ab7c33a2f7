#include "server/smtp/smtp_session.h"

#include <exception>

#include "server/smtp/smtp_replies.h"

namespace mailjuke::smtp {
namespace {
// RFC 4954 §4: a SASL response line may be up to 12288 octets.
constexpr size_t kMaxAuthLine = 12288;
}  // namespace

SmtpSession::SmtpSession(SessionOptions options, SmtpBackend& backend)
    : opt_(std::move(options)), backend_(backend), tls_(opt_.tls_active) {}

void SmtpSession::greet() { reply("220 " + opt_.hostname + " ESMTP MailJuke"); }

void SmtpSession::feed(std::string_view bytes) {
  if (!closing_) in_.append(bytes);
}

void SmtpSession::reply(std::string_view line) {
  out_.append(line);
  out_ += "\r\n";
}

void SmtpSession::error(std::string_view line) {
  reply(line);
  if (++errors_ >= opt_.max_errors && !closing_) {
    reply("421 4.7.0 " + opt_.hostname + " Error: too many errors, closing connection");
    closing_ = true;
  }
}

void SmtpSession::timedOut() {
  reply("421 4.4.2 " + opt_.hostname + " Error: timeout exceeded");
  closing_ = true;
}

void SmtpSession::shutdownNow() {
  reply("421 4.3.2 " + opt_.hostname + " Service shutting down, closing transmission channel");
  closing_ = true;
}

void SmtpSession::resetTransaction() {
  have_mail_ = false;
  mail_from_.clear();
  smtputf8_ = false;
  declared_size_ = 0;
  rcpt_to_.clear();
  data_.reset();
}

void SmtpSession::tlsEstablished() {
  // RFC 3207 §4.2: the client must start over with EHLO; nothing from before TLS counts.
  tls_ = true;
  in_.clear();
  discarding_ = false;
  helo_.clear();
  ehlo_ = false;
  account_.reset();
  auth_ = AuthStage::kNone;
  resetTransaction();
}

void SmtpSession::runBlocking() {
  p_threw_ = false;
  // One catch-all per blocking call: a throwing backend becomes a 4xx reply, not a dead session.
  try {
    switch (pending_) {
      case Pending::kAuth:
        p_auth_ = backend_.authenticate(p_user_, p_password_);
        break;
      case Pending::kDailyLimit:
        p_limit_ = backend_.dailyLimitReached(*account_);
        break;
      case Pending::kRcptQuota:
        p_full_ = backend_.mailboxFull(p_rcpt_, declared_size_);
        break;
      case Pending::kDeliver: {
        core::SmtpEnvelope env{opt_.client_ip, helo_,    tls_,    smtputf8_,
                               mail_from_,     rcpt_to_, account_};
        p_queued_ = submission() ? backend_.submit(env, std::move(p_message_))
                                 : backend_.receive(env, std::move(p_message_));
        break;
      }
      case Pending::kNone:
        break;
    }
  } catch (const std::exception& e) {
    p_threw_ = true;
    p_limit_ = Error::internal(e.what());
    p_full_ = Error::internal(e.what());
    p_queued_ = Error::internal(e.what());
  }
  p_password_.clear();
  p_message_.clear();
  pending_done_ = true;
}

SmtpSession::Step SmtpSession::process(bool stopping) {
  stopping_ = stopping;
  for (;;) {
    if (pending_ != Pending::kNone) {
      if (!pending_done_) return Step::kBlocking;
      Pending p = std::exchange(pending_, Pending::kNone);
      pending_done_ = false;
      if (p == Pending::kAuth) finishAuth();
      if (p == Pending::kDailyLimit) finishMail();
      if (p == Pending::kRcptQuota) finishRcpt();
      if (p == Pending::kDeliver) finishDeliver();
      continue;
    }
    if (closing_) return Step::kClose;
    if (data_) {
      // RFC 5321 §4.5.2: DataReader ends only at <CRLF>.<CRLF> and unstuffs dots.
      size_t used = data_->feed(in_);
      in_.erase(0, used);
      if (!data_->done()) return Step::kNeedInput;
      ++progress_;
      finishData();
      continue;
    }
    size_t lf = in_.find('\n');
    size_t limit = auth_ == AuthStage::kNone ? kMaxCommandLine : kMaxAuthLine;
    if (lf == std::string::npos) {
      // RFC 5321 §4.5.3.1.4: never buffer more than a line's worth; drop the rest of it.
      if (in_.size() > limit) {
        discarding_ = true;
        in_.clear();
      }
      return Step::kNeedInput;
    }
    std::string line = in_.substr(0, lf);
    in_.erase(0, lf + 1);
    ++progress_;
    // Command lines end in CRLF; a bare LF is tolerated here (not in DATA, see DataReader).
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (std::exchange(discarding_, false) || line.size() + 2 > limit) {
      auth_ = AuthStage::kNone;
      error(reply::kLineTooLong);
      continue;
    }
    if (stopping_) {
      shutdownNow();
      continue;
    }
    handleLine(line);
    if (pending_ == Pending::kNone && tls_pending_) {
      tls_pending_ = false;
      return Step::kStartTls;
    }
  }
}

void SmtpSession::handleLine(std::string_view line) {
  if (auth_ != AuthStage::kNone) return authContinue(line);
  auto parsed = parseCommand(line);
  if (!parsed) {
    const Error& e = parsed.error();
    if (e.code == ErrorCode::kTooLarge) return error(reply::kLineTooLong);
    if (e.code == ErrorCode::kMalformed) return error(reply::kUnknown);
    return error("501 5.5.4 Syntax error: " + e.message);
  }
  const Command& c = *parsed;
  switch (c.verb) {
    case Verb::kEhlo:
      return cmdHelo(c, true);
    case Verb::kHelo:
      return cmdHelo(c, false);
    case Verb::kStartTls:
      return cmdStartTls();
    case Verb::kAuth:
      return cmdAuth(c);
    case Verb::kMail:
      return cmdMail(c);
    case Verb::kRcpt:
      return cmdRcpt(c);
    case Verb::kData:
      return cmdData();
    default:
      return cmdSimple(c);
  }
}

}  // namespace mailjuke::smtp
