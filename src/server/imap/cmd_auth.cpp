// STARTTLS, LOGIN, AUTHENTICATE PLAIN (with SASL-IR, RFC 4959).
#include "base/encoding.h"
#include "server/imap/imap_session.h"

namespace mailjuke::imap {
namespace {
// RFC 4959 §3 and RFC 4616 §2: authzid NUL authcid NUL passwd, each up to 255 octets.
constexpr size_t kMaxSaslLine = 12288;
}  // namespace

void ImapSession::cmdStartTls() {
  // RFC 9051 §6.2.1
  if (!cmd_.args.empty()) return bad("STARTTLS takes no arguments");
  if (tls_ || !opt_.tls_available) return bad("TLS is not available");
  tagged("OK", "Begin TLS negotiation now");
  reader_.discardBuffered();  // pipelined plaintext must not survive into the TLS session
  tls_pending_ = true;
}

void ImapSession::cmdLogin() {
  // RFC 9051 §6.2.3
  if (!mayLogin()) return tagged("NO", "[PRIVACYREQUIRED] LOGIN is disabled before STARTTLS");
  if (cmd_.args.size() != 2) return bad("LOGIN needs a user name and a password");
  auto user = cmd_.args[0].astring();
  auto password = cmd_.args[1].astring();
  if (!user || !password) return bad("LOGIN needs a user name and a password");
  startAuth(std::move(*user), std::move(*password));
}

void ImapSession::cmdAuthenticate() {
  // RFC 9051 §6.2.2
  if (cmd_.args.empty() || cmd_.args.size() > 2) return bad("AUTHENTICATE needs a mechanism");
  if (!cmd_.args[0].isAtom("PLAIN"))
    return tagged("NO", "[CANNOT] Unsupported authentication mechanism");
  if (!mayLogin()) return tagged("NO", "[PRIVACYREQUIRED] Authentication needs TLS first");
  if (cmd_.args.size() == 2) {
    auto ir = cmd_.args[1].astring();
    if (!ir) return bad("Bad initial response");
    return authPlain(*ir);  // RFC 4959 §3: "=" is an empty initial response
  }
  out_ += "+ \r\n";
  sasl_pending_ = true;
}

void ImapSession::saslResponse(const std::string& line) {
  if (line == "*") return bad("Authentication cancelled");  // RFC 9051 §6.2.2
  if (line.size() > kMaxSaslLine) return bad("SASL response too long");
  authPlain(line);
}

void ImapSession::authPlain(const std::string& b64) {
  auto decoded = b64 == "=" ? std::optional<std::string>("") : base64Decode(b64);
  if (!decoded) return bad("Invalid base64");
  // RFC 4616 §2: [authzid] NUL authcid NUL passwd.
  auto first = decoded->find('\0');
  auto second = first == std::string::npos ? first : decoded->find('\0', first + 1);
  if (second == std::string::npos) return bad("Malformed PLAIN response");
  std::string authzid = decoded->substr(0, first);
  std::string user = decoded->substr(first + 1, second - first - 1);
  std::string password = decoded->substr(second + 1);
  if (!authzid.empty() && authzid != user)
    return tagged("NO", "[AUTHORIZATIONFAILED] Cannot act as another user");
  startAuth(std::move(user), std::move(password));
}

void ImapSession::startAuth(std::string user, std::string password) {
  using AuthPair = std::pair<core::MailAuthResult, std::shared_ptr<const core::MailAccount>>;
  blocking<AuthPair>(
      [this, user = std::move(user), password = std::move(password)] {
        return backend_.authenticate(user, password);
      },
      [this](AuthPair& r) {
        if (r.first == core::MailAuthResult::kOk && r.second) {
          if (opt_.user_slot) {
            user_slot_ = opt_.user_slot(r.second->id);
            if (!user_slot_) return tagged("NO", "[LIMIT] Too many connections for this mailbox");
          }
          account_ = r.second;
          state_ = State::kAuthenticated;
          // RFC 9051 §6.2.3: capabilities may change after login; say so in the OK.
          return tagged("OK", "[CAPABILITY " + capabilities() + "] Logged in");
        }
        if (r.first == core::MailAuthResult::kSuspended)
          return tagged("NO", "[CONTACTADMIN] This mailbox is suspended");
        tagged("NO", "[AUTHENTICATIONFAILED] Invalid credentials");
      });
}

}  // namespace mailjuke::imap
