// One error type for every module boundary. Each protocol maps ErrorCode to its wire reply in
// one place (HTTP: server/http/problem.cpp).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace mailjuke {

enum class ErrorCode {
  kMalformed,         // the input could not be parsed at all (HTTP 400)
  kUnauthenticated,   // no or bad credentials (401)
  kPaymentRequired,   // quota or plan limit (402)
  kForbidden,         // authenticated, but the role may not (403)
  kNotFound,          // unknown, or belongs to another tenant (404)
  kConflict,          // state conflict (409)
  kGone,              // expired token or link (410)
  kTooLarge,          // body or field over its limit (413)
  kUnsupportedMedia,  // wrong Content-Type (415)
  kInvalid,           // validation failed (422)
  kRateLimited,       // throttled (429)
  kUnavailable,       // dependency down, retry later (503)
  kInternal,          // a bug or an unexpected failure (500)
};

struct FieldError {
  std::string field;
  std::string message;
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::vector<FieldError> fields;  // for kInvalid: which input fields are wrong
  int retry_after_seconds = 0;     // for kRateLimited

  static Error invalid(std::string field, std::string message) {
    Error e{ErrorCode::kInvalid, message, {}};
    e.fields.push_back({std::move(field), std::move(message)});
    return e;
  }
  static Error make(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }
  static Error notFound(std::string what) {
    return {ErrorCode::kNotFound, std::move(what) + " not found"};
  }
  static Error internal(std::string message) { return {ErrorCode::kInternal, std::move(message)}; }
};

const char* errorCodeName(ErrorCode code);

}  // namespace mailjuke
