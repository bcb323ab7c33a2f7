#include "proto/http/problem.h"

#include "base/json.h"

namespace mailjuke::http {

int statusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kMalformed:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPaymentRequired:
      return 402;
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kGone:
      return 410;
    case ErrorCode::kTooLarge:
      return 413;
    case ErrorCode::kUnsupportedMedia:
      return 415;
    case ErrorCode::kInvalid:
      return 422;
    case ErrorCode::kRateLimited:
      return 429;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

Response problem(const Error& error) {
  int status = statusFor(error.code);
  Json body = {
      {"type", std::string("https://mailjuke.dev/problems/") + errorCodeName(error.code)},
      {"title", statusReason(status)},
      {"status", status},
      // Internal details never reach the client (logged by the server instead).
      {"detail", status >= 500 && error.code != ErrorCode::kUnavailable
                     ? std::string("An unexpected error occurred; it has been logged.")
                     : error.message},
  };
  Json errors = Json::array();
  for (const auto& f : error.fields) errors.push_back({{"field", f.field}, {"message", f.message}});
  body["errors"] = std::move(errors);
  Response r = Response::json(status, body.dump(-1, ' ', false, Json::error_handler_t::replace));
  r.headers.set("content-type", "application/problem+json");
  if (error.code == ErrorCode::kRateLimited && error.retry_after_seconds > 0)
    r.headers.set("retry-after", std::to_string(error.retry_after_seconds));
  return r;
}

Response problem(int status, const std::string& detail) {
  ErrorCode code = ErrorCode::kInternal;
  for (auto c : {ErrorCode::kMalformed, ErrorCode::kUnauthenticated, ErrorCode::kForbidden,
                 ErrorCode::kNotFound, ErrorCode::kConflict, ErrorCode::kTooLarge,
                 ErrorCode::kUnsupportedMedia, ErrorCode::kInvalid, ErrorCode::kRateLimited,
                 ErrorCode::kUnavailable, ErrorCode::kPaymentRequired, ErrorCode::kGone})
    if (statusFor(c) == status) code = c;
  Response r = problem(Error{code, detail, {}});
  r.status = status;
  return r;
}

}  // namespace mailjuke::http
