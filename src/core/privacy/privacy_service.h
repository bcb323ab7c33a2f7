// Data subject requests end to end (policy §10, §12; GDPR Art. 12-22): signed-in requests that
// re-authenticate in their body, the no-login flow with an e-mailed 6-digit code, exports run as
// background work, erasure, restriction, objection and rectification, and the operator queue
// with due dates (received + 1 month, Art. 12(3)), extensions, refusals and an append-only
// history. Thread-safe; calls block on the database (run them on the worker pool).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "base/json.h"
#include "core/access/principal.h"
#include "core/accounts/account_service.h"
#include "core/context.h"
#include "core/privacy/privacy_settings.h"

namespace mailjuke::core {
class JobRunner;
}

namespace mailjuke::core::privacy {

struct RequestInput {
  std::string type;  // access | portability | rectification | erasure | restriction | objection
  std::string password;
  std::optional<std::string> totp_code;
  std::optional<std::string> purpose;  // objection: product_analytics | marketing
  std::optional<std::string> name;     // rectification: applied at once
  std::optional<std::optional<std::string>> company;
  std::optional<std::string> message;       // anything else: becomes an operator task
  std::optional<std::string> workspace_id;  // erasure of a whole workspace by its owner
};

struct QueueQuery {
  std::optional<std::string> status;  // default: the open ones
  std::optional<std::string> cursor;
  int limit = 50;
};

// The calendar month after `t` (Art. 12(3)); the 31st becomes the last day of a shorter month.
int64_t addMonths(int64_t t, int months);

class PrivacyService {
 public:
  // `runner` runs exports in the background; null runs them inline (tests).
  PrivacyService(CoreContext& ctx, PrivacySettings settings, AccountService& accounts,
                 JobRunner* runner)
      : ctx_(ctx), settings_(std::move(settings)), accounts_(accounts), runner_(runner) {}
  const PrivacySettings& settings() const { return settings_; }
  // Background work (exports); null in tests that run it inline.
  JobRunner* runner() const { return runner_; }

  // GET /api/v1/me/privacy: consents, consent history, open requests, policy banner, flags, and
  // what we hold and why.
  Result<Json> myPrivacy(const Principal& p);
  // PUT /api/v1/me/consents: one append-only event per purpose given.
  Result<Json> setConsents(const Principal& p, const Json& choices,
                           const std::optional<std::string>& notice_version);
  // Acknowledges the current policy version (clears the banner); `version`, when given, must be
  // the current one (the person saw what they acknowledge).
  Result<Json> acknowledgePolicy(const Principal& p, const std::optional<std::string>& version);

  Result<Json> createRequest(const Principal& p, const RequestInput& in);
  Result<Json> getRequest(const Principal& p, const std::string& id);
  // The requester cancels a scheduled workspace erasure (workspace_erasure.h).
  Result<Json> cancelRequest(const Principal& p, const std::string& id);
  // The export file of a completed access/portability request within its validity.
  Result<std::string> exportPath(const Principal& p, const std::string& id);

  // No-login flow: always the same answer, whether an account exists or not.
  Result<Json> createAnonymous(const std::string& email, const std::string& type,
                               const std::optional<std::string>& message, const Principal& from);
  Result<Json> verifyAnonymous(const std::string& id, const std::string& code);

  // Operators.
  Result<Page> queue(const QueueQuery& q);
  Result<Json> adminGet(const std::string& id);
  Result<Json> extend(const std::string& id, int months, const std::string& reason,
                      const Principal& op);
  Result<Json> refuse(const std::string& id, const std::string& reason, const Principal& op);
  Result<Json> complete(const std::string& id, const std::string& note, const Principal& op);
  Status cancelWorkspaceDeletion(const std::string& ws, const Principal& op);

  // Runs an export now (the background task; public for tests).
  Status runExport(const std::string& id);

 private:
  Result<Json> requestJson(store::Tx& tx, const std::string& id, bool with_history, bool admin);
  CoreContext& ctx_;
  PrivacySettings settings_;
  AccountService& accounts_;
  JobRunner* runner_;
};

}  // namespace mailjuke::core::privacy
