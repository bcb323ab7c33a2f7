// Header edits the MTA makes to a message on its way in: the Received trace field and removing
// forged Authentication-Results. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/mail/intake.h"
#include "proto/mime/headers.h"

namespace mailjuke::core {

// RFC 5321 §4.4 trace field with the RFC 3848 protocol (ESMTP, ESMTPS, ESMTPA, ESMTPSA). The
// client's IP address is recorded for inbound mail only: submitted mail names the HELO alone,
// so a mailbox user's home address does not travel with every message.
std::string receivedHeader(const SmtpEnvelope& envelope, const std::string& hostname,
                           const std::string& id, int64_t now);

// `prefix` + `message` without the Authentication-Results fields that claim `authserv_id`
// (RFC 8601 §5: an MTA removes forged results bearing its own identifier).
std::string withoutForgedResults(std::string_view message, const mime::ParsedHeaders& headers,
                                 std::string_view authserv_id, std::string_view prefix);

}  // namespace mailjuke::core
