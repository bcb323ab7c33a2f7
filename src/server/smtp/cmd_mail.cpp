// MAIL FROM (RFC 5321 §4.1.1.2) with SIZE (RFC 1870), BODY (RFC 6152), SMTPUTF8 (RFC 6531) and
// AUTH= (RFC 4954 §5, accepted and ignored).
#include <cctype>

#include "server/smtp/smtp_replies.h"
#include "server/smtp/smtp_session.h"

namespace mailjuke::smtp {
namespace {
std::string upper(std::string s) {
  for (auto& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

void SmtpSession::cmdMail(const Command& c) {
  if (helo_.empty()) return error(reply::kNeedHelo);  // §4.1.4
  if (submission()) {
    if (!mayAuthenticate()) return error(reply::kNeedStartTls);  // RFC 8314 §3
    if (!account_) return error(reply::kNeedAuth);               // RFC 4954 §6
  }
  if (have_mail_) return error("503 5.5.1 Error: nested MAIL command");
  bool utf8 = false;
  declared_size_ = 0;
  for (const auto& [key, value] : c.params) {
    if (key == "SIZE") {  // RFC 1870 §6.2
      if (value.empty() || value.size() > 19 ||
          value.find_first_not_of("0123456789") != std::string::npos)
        return error(reply::kSyntax);
      if (std::stoull(value) > opt_.max_message_bytes) return reply(reply::kMsgTooBig);
      declared_size_ = std::stoull(value);
    } else if (key == "BODY") {  // RFC 6152 §2
      std::string body = upper(value);
      if (body != "7BIT" && body != "8BITMIME") return error(reply::kSyntax);
    } else if (key == "SMTPUTF8") {  // RFC 6531 §3.4
      if (!value.empty()) return error(reply::kSyntax);
      utf8 = true;
    } else if (key == "AUTH") {
      // RFC 4954 §5: we never relay AUTH= onwards, so the value does not matter.
    } else {
      return error("555 5.5.4 Error: unsupported MAIL parameter " + key);  // §4.1.1.11
    }
  }
  if (c.path.utf8 && !utf8) return error(reply::kNonAsciiAddress);  // RFC 6531 §3.5
  mail_from_ = c.path.text();
  smtputf8_ = utf8;
  if (!submission()) {
    have_mail_ = true;
    return reply("250 2.1.0 Ok");
  }
  if (!backend_.senderAllowed(*account_, mail_from_)) {
    std::string from = std::exchange(mail_from_, {});
    return error("553 5.7.1 Error: sender <" + from + "> is not owned by the authenticated user " +
                 account_->address());
  }
  pending_ = Pending::kDailyLimit;  // SQL: worker pool
}

void SmtpSession::finishMail() {
  if (p_threw_ || !p_limit_.ok()) {
    mail_from_.clear();
    return reply(reply::forError(p_threw_ ? Error::internal("") : p_limit_.error()));
  }
  if (*p_limit_) {
    mail_from_.clear();
    return reply("451 4.7.1 Error: the daily sending limit of " +
                 std::to_string(account_->daily_limit) + " messages for " + account_->address() +
                 " is reached; try again after midnight UTC");
  }
  have_mail_ = true;
  reply("250 2.1.0 Ok");
}

}  // namespace mailjuke::smtp
