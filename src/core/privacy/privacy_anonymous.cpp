// The no-login flow (policy §12 "Privacy questions or requests"): an e-mail address receives a
// 6-digit code (10 min, 3 attempts, then void). Every answer is the same whether or not an
// account has that address, so the flow reveals nothing.
#include <cstdio>

#include "base/clock.h"
#include "base/crypto.h"
#include "base/ids.h"
#include "core/accounts/validation.h"
#include "core/jobs/job_runner.h"
#include "core/notify/outbox.h"
#include "core/privacy/privacy_service.h"
#include "core/privacy/request_util.h"

namespace mailjuke::core::privacy {
namespace {

constexpr int64_t kCodeSeconds = 600;
constexpr int kMaxAttempts = 3;
constexpr int64_t kPerAddressPerHour = 5;

std::string codeHash(const std::string& id, const std::string& code) {
  return crypto::sha256Hex(id + ":" + code);
}

}  // namespace

Result<Json> PrivacyService::createAnonymous(const std::string& raw_email, const std::string& type,
                                             const std::optional<std::string>& message,
                                             const Principal& from) {
  MJ_TRY_ASSIGN(std::string email, normalizeEmail("email", raw_email));
  if (!validRequestType(type))
    return Error::invalid(
        "type", "must be access, portability, rectification, erasure, restriction or objection");
  int64_t now = ctx_.clock.nowSeconds();
  std::string id = newId("prq");
  char digits[7];
  std::snprintf(digits, sizeof digits, "%06u", crypto::randomUniform(1000000));
  std::string code = digits;
  Json details = Json::object();
  if (message) details["message"] = *message;
  MJ_TRY(ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
    MJ_TRY_ASSIGN(auto recent,
                  tx.queryOne("SELECT COUNT(*) FROM privacy_requests WHERE email = ? AND "
                              "received_at > ?",
                              {email, now - 3600}));
    bool send = !recent || recent->integer(0) < kPerAddressPerHour;  // silently capped
    MJ_TRY(
        tx.exec("INSERT INTO privacy_requests (id, email, type, status, details, received_at, "
                "due_at, code_hash, code_expires_at, updated_at) VALUES "
                "(?,?,?,'pending_verification',?,?,?,?,?,?)",
                {id, email, type, details.dump(), now, addMonths(now, 1), codeHash(id, code),
                 now + kCodeSeconds, now}));
    MJ_TRY(addRequestEvent(tx, id, "anonymous", "received",
                           "code e-mailed" + std::string(send ? "" : " (rate limited: not sent)"),
                           now));
    if (!send) return {};
    return enqueueEmail(
        tx,
        {"privacy_code", email, "", "Your " + ctx_.settings.platform_name + " privacy request code",
         "Someone asked to make a privacy request (" + type +
             ") for this address.\n\n"
             "Privacy request code: " +
             code + "\n\nEnter it within 10 minutes. If this was not you, ignore this e-mail."},
        now);
  }));
  (void)from;
  return Json{{"id", id},
              {"status", "pending_verification"},
              {"code_expires_at", formatRfc3339(now + kCodeSeconds)},
              {"detail", "if the address can receive mail, a 6-digit code is on its way"}};
}

Result<Json> PrivacyService::verifyAnonymous(const std::string& id, const std::string& code) {
  if (code.size() != 6 || code.find_first_not_of("0123456789") != std::string::npos)
    return Error::invalid("code", "must be 6 digits");
  int64_t now = ctx_.clock.nowSeconds();
  // The attempt is counted in its own transaction, so a wrong code is never rolled back.
  std::optional<Error> failure;
  bool run_export = false;
  MJ_TRY_ASSIGN(Json out, ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    failure.reset();
    run_export = false;
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT status, code_hash, code_expires_at, code_attempts, "
                                        "email, due_at, type FROM privacy_requests WHERE id = ?" +
                                            std::string(tx.forUpdate()),
                                        {id}));
    if (!row || row->isNull(4)) return Error::notFound("privacy request");
    if (row->text(0) != "pending_verification") {
      failure = Error::make(ErrorCode::kGone, "this request is no longer waiting for a code");
      return Json();
    }
    if (row->integer(2) < now) {
      MJ_TRY(
          tx.exec("UPDATE privacy_requests SET status = 'void', code_hash = NULL, updated_at = "
                  "? WHERE id = ?",
                  {now, id}));
      MJ_TRY(addRequestEvent(tx, id, "system", "void", "code expired", now));
      failure = Error::make(ErrorCode::kGone, "the code has expired; start a new request");
      return Json();
    }
    if (!crypto::constantTimeEqual(row->text(1), codeHash(id, code))) {
      int64_t attempts = row->integer(3) + 1;
      if (attempts >= kMaxAttempts) {
        MJ_TRY(
            tx.exec("UPDATE privacy_requests SET status = 'void', code_hash = NULL, "
                    "code_attempts = ?, updated_at = ? WHERE id = ?",
                    {attempts, now, id}));
        MJ_TRY(addRequestEvent(tx, id, "system", "void", "3 wrong codes", now));
        failure = Error::make(ErrorCode::kGone, "too many wrong codes; start a new request");
      } else {
        MJ_TRY(tx.exec("UPDATE privacy_requests SET code_attempts = ?, updated_at = ? WHERE id = ?",
                       {attempts, now, id}));
        failure = Error::invalid(
            "code", "is incorrect (" + std::to_string(kMaxAttempts - attempts) + " attempts left)");
      }
      return Json();
    }
    // Verified: the request joins the operator queue; an account with this address is linked.
    MJ_TRY_ASSIGN(auto user, tx.queryOne("SELECT id FROM users WHERE email = ? AND status <> "
                                         "'erased'",
                                         {row->text(4)}));
    MJ_TRY(
        tx.exec("UPDATE privacy_requests SET status = 'open', code_hash = NULL, user_id = ?, "
                "updated_at = ? WHERE id = ?",
                {user ? store::Value(user->text(0)) : store::Value(nullptr), now, id}));
    MJ_TRY(addRequestEvent(tx, id, "anonymous", "verified", "e-mail code", now));
    // Access and portability for an account: exported now, the link e-mailed to the address.
    // The answer is the same either way (no enumeration); without an account an operator
    // answers.
    run_export = user && (row->text(6) == "access" || row->text(6) == "portability");
    return Json{{"id", id},
                {"status", "open"},
                {"due_at", formatRfc3339(row->integer(5))},
                {"due_date", formatDate(row->integer(5))}};
  }));
  if (failure) return *failure;
  if (run_export) {
    if (runner_) {
      std::string rid = id;
      runner_->submit([this, rid] { (void)runExport(rid); });
    } else {
      MJ_TRY(runExport(id));
    }
  }
  return out;
}

}  // namespace mailjuke::core::privacy
