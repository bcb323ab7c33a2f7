// ENVELOPE and BODY/BODYSTRUCTURE responses (RFC 9051 §7.5.2, grammar §9) rendered from the
// MIME structure parsed at delivery. Pure.
#pragma once

#include <string>

#include "proto/mime/structure.h"

namespace mailjuke::imap {

// `utf8`: the client enabled UTF8=ACCEPT or IMAP4rev2, so 8-bit text may be quoted.
std::string renderEnvelope(const mime::Envelope& envelope, bool utf8 = false);
// BODYSTRUCTURE (extensible = true) or BODY (extensible = false).
std::string renderBody(const mime::MimePart& part, bool extensible, bool utf8 = false);

}  // namespace mailjuke::imap
