// People: signup, e-mail verification, login with throttling and TOTP, sessions, password reset,
// profile and e-mail change. Thread-safe; every call blocks on the database (worker pool).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "core/access/principal.h"
#include "core/context.h"

namespace mailjuke::core {

struct SignupInput {
  std::string email, password, name;
  std::optional<std::string> company;
  bool accept_terms = false;
  bool business_use = false;
  bool marketing_email = false;  // optional consent, never required
};

struct NewSession {
  std::string token;  // the cookie value: shown once, only its digest is stored
  std::string session_id;
  std::string csrf_token;
  Json user;
};

struct TotpEnrolment {
  std::string secret_base32;
  std::string otpauth_uri;
  std::string qr_svg;
};

class AccountService {
 public:
  explicit AccountService(CoreContext& ctx) : ctx_(ctx) {}

  Result<NewSession> signup(const SignupInput& in, const Principal& from);
  Status verifyEmail(const std::string& token);
  Result<NewSession> login(const std::string& email, const std::string& password,
                           const std::optional<std::string>& totp_code, const Principal& from);
  Status logout(const Principal& p);
  // Resolves a session cookie; enforces idle and absolute timeouts. Touches last_seen_at.
  Result<Principal> authenticateSession(const std::string& token, const std::string& ip,
                                        const std::string& user_agent);
  Result<std::string> csrfToken(const std::string& session_id);

  // Always succeeds for a well-formed address (no account enumeration).
  Status requestPasswordReset(const std::string& email, const Principal& from);
  Status confirmPasswordReset(const std::string& token, const std::string& password,
                              const Principal& from);

  Result<TotpEnrolment> startTotp(const Principal& p);
  Result<std::vector<std::string>> confirmTotp(const Principal& p, const std::string& code);
  Status disableTotp(const Principal& p, const std::optional<std::string>& code,
                     const std::optional<std::string>& password);

  Result<Json> me(const Principal& p);
  Result<Json> updateMe(const Principal& p, const std::optional<std::string>& name,
                        const std::optional<std::optional<std::string>>& company,
                        const std::optional<std::string>& email,
                        const std::optional<std::string>& current_password);
  Result<Json> listSessions(const Principal& p);
  Status revokeSession(const Principal& p, const std::string& session_id);

  // Re-authentication for sensitive actions (privacy requests): password, plus TOTP when on.
  Status reauthenticate(const std::string& user_id, const std::string& password,
                        const std::optional<std::string>& totp_code);

  // Operator bootstrap and CLI.
  Result<std::string> createOperator(const std::string& email, const std::string& password,
                                     const std::string& name);
  Status setPassword(const std::string& email, const std::string& password);
  Result<bool> anyOperatorExists();

  static Json userJson(const store::Row& r);  // columns of kUserColumns
  static const char* const kUserColumns;

 private:
  Result<NewSession> createSession(store::Tx& tx, const std::string& user_id, const Principal& from,
                                   int64_t now);
  Status throttle(store::Tx& tx, const std::string& subject, int64_t now);
  Status recordFailure(store::Tx& tx, const std::string& subject, int64_t now);
  Result<bool> checkTotp(store::Tx& tx, const std::string& user_id, const std::string& code,
                         int64_t now);
  std::string hash(const std::string& password) const;
  Status issueToken(store::Tx& tx, const std::string& user_id, const std::string& purpose,
                    const std::string& data, int64_t ttl, int64_t now, std::string* token_out);

  CoreContext& ctx_;
};

}  // namespace mailjuke::core
