// AUTH (RFC 4954) with the PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login) mechanisms.
#include <cctype>

#include "base/encoding.h"
#include "server/smtp/smtp_replies.h"
#include "server/smtp/smtp_session.h"

namespace mailjuke::smtp {
namespace {
constexpr const char* kAskUser = "334 VXNlcm5hbWU6";      // "Username:"
constexpr const char* kAskPassword = "334 UGFzc3dvcmQ6";  // "Password:"

// RFC 4954 §4: "=" is an empty initial response.
std::optional<std::string> decode(std::string_view b64) {
  if (b64 == "=") return std::string();
  return base64Decode(b64);
}
}  // namespace

void SmtpSession::cmdAuth(const Command& c) {
  if (!submission()) return error("503 5.5.1 Error: authentication not enabled");
  // RFC 8314 §3 / RFC 4954 §4: no credentials in the clear.
  if (!mayAuthenticate()) return error(reply::kNeedStartTls);
  if (!ehlo_) return error("503 5.5.1 Error: send EHLO first");
  if (account_) return error("503 5.5.1 Error: already authenticated");  // RFC 4954 §4
  if (have_mail_) return error("503 5.5.1 Error: MAIL transaction in progress");
  std::string_view arg = c.argument;
  size_t sp = arg.find(' ');
  std::string mech(arg.substr(0, sp));
  for (auto& ch : mech) ch = char(std::toupper(static_cast<unsigned char>(ch)));
  std::string_view initial = sp == std::string_view::npos ? "" : arg.substr(sp + 1);
  if (mech == "PLAIN") {
    if (initial.empty()) {
      auth_ = AuthStage::kPlain;
      return reply("334 ");
    }
    return authPlain(initial);
  }
  if (mech == "LOGIN") {
    if (initial.empty()) {
      auth_ = AuthStage::kLoginUser;
      return reply(kAskUser);
    }
    auto user = decode(initial);
    if (!user) return error("501 5.5.2 Error: cannot decode the response");
    auth_user_ = std::move(*user);
    auth_ = AuthStage::kLoginPassword;
    return reply(kAskPassword);
  }
  error("504 5.5.4 Error: unrecognized authentication type");
}

void SmtpSession::authContinue(std::string_view line) {
  AuthStage stage = std::exchange(auth_, AuthStage::kNone);
  if (line == "*") return error("501 5.0.0 Authentication cancelled");  // RFC 4954 §4
  if (stage == AuthStage::kPlain) return authPlain(line);
  auto text = decode(line);
  if (!text) return error("501 5.5.2 Error: cannot decode the response");
  if (stage == AuthStage::kLoginUser) {
    auth_user_ = std::move(*text);
    auth_ = AuthStage::kLoginPassword;
    return reply(kAskPassword);
  }
  startAuth(std::exchange(auth_user_, {}), std::move(*text));
}

void SmtpSession::authPlain(std::string_view b64) {
  auto text = decode(b64);
  if (!text) return error("501 5.5.2 Error: cannot decode the response");
  // RFC 4616 §2: [authzid] NUL authcid NUL passwd
  size_t a = text->find('\0');
  size_t b = a == std::string::npos ? a : text->find('\0', a + 1);
  if (b == std::string::npos) return error("501 5.5.2 Error: malformed PLAIN response");
  std::string authzid = text->substr(0, a), user = text->substr(a + 1, b - a - 1);
  if (!authzid.empty() && authzid != user)
    return error("535 5.7.8 Error: acting for another user is not allowed");
  startAuth(std::move(user), text->substr(b + 1));
}

void SmtpSession::startAuth(std::string user, std::string password) {
  // Argon2id on a cache miss: worker pool (smtp_backend.h).
  p_user_ = std::move(user);
  p_password_ = std::move(password);
  pending_ = Pending::kAuth;
}

void SmtpSession::finishAuth() {
  if (p_threw_) return reply("454 4.7.0 Temporary authentication failure");
  auto [result, account] = std::move(p_auth_);
  p_auth_ = {};
  if (result == core::MailAuthResult::kOk && account) {
    account_ = std::move(account);
    return reply("235 2.7.0 Authentication successful");
  }
  if (result == core::MailAuthResult::kSuspended)
    return error("535 5.7.8 Error: authentication refused: the mailbox is suspended");
  error("535 5.7.8 Error: authentication credentials invalid");
}

}  // namespace mailjuke::smtp
