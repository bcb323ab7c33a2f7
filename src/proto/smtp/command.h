// SMTP command grammar (RFC 5321 §4.1): one command line in, a typed command out. Pure: no I/O.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace mailjuke::smtp {

// RFC 5321 §4.5.3.1.4: a command line is at most 512 octets including CRLF.
constexpr size_t kMaxCommandLine = 512;

enum class Verb {
  kEhlo,
  kHelo,
  kMail,
  kRcpt,
  kData,
  kBdat,
  kRset,
  kNoop,
  kQuit,
  kVrfy,
  kExpn,
  kHelp,
  kStartTls,
  kAuth,
  kUnknown,
};

// A forward- or reverse-path mailbox: "local@domain", or empty for the null reverse-path "<>".
struct Address {
  std::string local;   // as received (dot-atom or the content of a quoted string, unquoted)
  std::string domain;  // as received; a domain literal keeps its brackets
  bool null() const { return local.empty() && domain.empty(); }
  std::string text() const { return null() ? "" : local + "@" + domain; }
  bool utf8 = false;  // contains non-ASCII (needs SMTPUTF8, RFC 6531)
};

struct Command {
  Verb verb = Verb::kUnknown;
  std::string argument;                       // EHLO/HELO domain, AUTH mechanism + response, etc.
  Address path;                               // MAIL FROM / RCPT TO
  std::map<std::string, std::string> params;  // ESMTP parameters, keys upper-cased (SIZE, BODY…)
};

// Error codes map to replies: kMalformed → 500 (unknown/garbled command), kInvalid → 501
// (bad arguments), kTooLarge → 500 5.5.6 (line too long).
Result<Command> parseCommand(std::string_view line);  // without the trailing CRLF
// Parses "<local@domain>" (RFC 5321 §4.1.2 Path); source routes are accepted and ignored.
Result<Address> parsePath(std::string_view path, bool allow_null);
const char* verbName(Verb v);

}  // namespace mailjuke::smtp
