// RFC 9457 problem details: the one place that maps Error to an HTTP status and body.
#pragma once

#include "base/error.h"
#include "proto/http/message.h"

namespace mailjuke::http {

int statusFor(ErrorCode code);
// {type, title, status, detail, errors: [{field, message}]} as application/problem+json.
Response problem(const Error& error);
Response problem(int status, const std::string& detail);

}  // namespace mailjuke::http
