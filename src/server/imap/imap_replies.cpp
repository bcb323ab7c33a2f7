// Core errors → IMAP NO responses with RFC 5530 response codes: the one mapping for IMAP.
#include "server/imap/imap_session.h"

namespace mailjuke::imap {

void ImapSession::no(const Error& e) {
  std::string text = e.message.empty() ? std::string("Failed") : e.message;
  for (char& c : text)
    if (c == '\r' || c == '\n') c = ' ';
  switch (e.code) {
    case ErrorCode::kNotFound:
      return tagged("NO", "[NONEXISTENT] " + text);
    case ErrorCode::kConflict:
      return tagged("NO", "[ALREADYEXISTS] " + text);
    case ErrorCode::kInvalid:
    case ErrorCode::kMalformed:
      return tagged("NO", "[CANNOT] " + text);
    case ErrorCode::kForbidden:
      return tagged("NO", "[NOPERM] " + text);
    case ErrorCode::kUnauthenticated:
      return tagged("NO", "[AUTHENTICATIONFAILED] " + text);
    case ErrorCode::kPaymentRequired:
    case ErrorCode::kTooLarge:
      return tagged("NO", "[OVERQUOTA] " + text);
    case ErrorCode::kRateLimited:
    case ErrorCode::kUnavailable:
      return tagged("NO", "[UNAVAILABLE] " + text);
    default:
      return tagged("NO", "[SERVERBUG] Internal error");
  }
}

}  // namespace mailjuke::imap
