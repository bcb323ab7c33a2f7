#include "server/smtp/smtp_replies.h"

namespace mailjuke::smtp::reply {
namespace {
// Reply text must stay on one line and printable (RFC 5321 §4.2: textstring).
std::string clean(const std::string& s) {
  std::string out;
  for (char c : s) out += (c == '\r' || c == '\n' || c == '\0') ? ' ' : c;
  if (out.size() > 400) out.resize(400);
  return out;
}
}  // namespace

std::string forError(const Error& e) {
  std::string detail = e.message.empty() ? "" : ": " + clean(e.message);
  switch (e.code) {
    case ErrorCode::kInvalid:
    case ErrorCode::kMalformed:
      return "550 5.6.0 Message rejected" + detail;
    case ErrorCode::kForbidden:
      return "553 5.7.1 Message rejected" + detail;
    case ErrorCode::kRateLimited:
      return "451 4.7.1 Rate limit reached, try again later" + detail;
    case ErrorCode::kPaymentRequired:  // RFC 3463 X.2.2: mailbox full (a temporary condition)
      return "452 4.2.2 Mailbox full, try again later";
    default:
      // Internal details stay in the log, not on the wire.
      return "451 4.3.0 Error: temporary failure, try again later";
  }
}

}  // namespace mailjuke::smtp::reply
