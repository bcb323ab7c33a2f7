// The data DKIM hashes (RFC 6376 §3.7): the signed header fields in h= order, selected from the
// bottom up, then the DKIM-Signature field itself with an empty b= value. Shared by signing and
// verification. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/mailauth/dkim_canon.h"
#include "proto/mime/headers.h"

namespace mailjuke::core::mailauth {

// The canonicalised fields named in `names` (§5.4.2: the last unused instance of each name; a
// name with no instance left contributes nothing), each ending in CRLF, followed by
// `signature_field` canonicalised without its trailing CRLF.
std::string headerHashInput(const mime::ParsedHeaders& headers,
                            const std::vector<std::string>& names, Canon canon,
                            std::string_view signature_field);

// `raw_field` (a whole DKIM-Signature field) without its final CRLF and with the value of its
// b= tag deleted, surrounding whitespace included (§3.5 b=, §3.7).
std::string withEmptySignature(std::string_view raw_field);

}  // namespace mailjuke::core::mailauth
