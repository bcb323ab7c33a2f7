// DKIM canonicalisation (RFC 6376 §3.4) of header fields and bodies. Pure.
#pragma once

#include <string>
#include <string_view>

namespace mailjuke::core::mailauth {

enum class Canon { kSimple, kRelaxed };

// One header field given as its raw bytes ("Name: value\r\n", folded or not). The result ends in
// CRLF when `raw` does.
std::string canonHeader(Canon canon, std::string_view raw);

// The canonical body (§3.4.3 simple, §3.4.4 relaxed). An empty body is "\r\n" under simple and
// "" under relaxed.
std::string canonBody(Canon canon, std::string_view body);

// Parses one side of c= ("simple" | "relaxed"); false when unknown.
bool parseCanon(std::string_view text, Canon& out);

}  // namespace mailjuke::core::mailauth
