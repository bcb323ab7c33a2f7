// Small pieces shared by the privacy request files: history events, the requester's address,
// request types.
#pragma once

#include <optional>
#include <string>

#include "core/context.h"

namespace mailjuke::core::privacy {

bool validRequestType(const std::string& type);
// Appends to the request's append-only history.
Status addRequestEvent(store::Tx& tx, const std::string& request_id, const std::string& actor,
                       const std::string& action, const std::string& note, int64_t now);
// Where to write about a request: the account's address, or the one given without a login.
Result<std::optional<std::string>> requesterAddress(store::Tx& tx, const std::string& request_id);
// Enqueues an e-mail to the requester (nothing when no address is known).
Status tellRequester(store::Tx& tx, const std::string& request_id, const std::string& subject,
                     const std::string& text, int64_t now);

}  // namespace mailjuke::core::privacy
