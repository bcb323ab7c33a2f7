// SMTP reply texts (RFC 5321 §4.2, enhanced codes RFC 3463) and the one mapping from
// mailjuke::Error to a wire reply.
#pragma once

#include <string>

#include "base/error.h"

namespace mailjuke::smtp::reply {

// End-of-DATA backend errors (core::MailIntake::receive/submit contract): kInvalid → 550 5.6.0,
// kForbidden → 553 5.7.1, kRateLimited → 451 4.7.1, anything else → 451 4.3.0.
std::string forError(const Error& e);

inline constexpr const char* kOk = "250 2.0.0 Ok";
inline constexpr const char* kSyntax = "501 5.5.4 Syntax error in parameters or arguments";
inline constexpr const char* kUnknown = "500 5.5.2 Error: command not recognized";
inline constexpr const char* kLineTooLong = "500 5.5.6 Error: line too long";
inline constexpr const char* kNeedHelo = "503 5.5.1 Error: send HELO/EHLO first";
inline constexpr const char* kNeedStartTls = "530 5.7.0 Must issue a STARTTLS command first";
inline constexpr const char* kNeedAuth = "530 5.7.0 Authentication required";
inline constexpr const char* kNotImplemented = "502 5.5.1 Error: command not implemented";
inline constexpr const char* kMsgTooBig = "552 5.3.4 Error: message size exceeds fixed limit";
inline constexpr const char* kNonAsciiAddress =
    "553 5.6.7 Error: non-ASCII address requires the SMTPUTF8 parameter";

}  // namespace mailjuke::smtp::reply
