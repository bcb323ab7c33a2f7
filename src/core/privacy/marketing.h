// Marketing e-mail (policy §4, §7; GDPR Art. 6(1)(a), 21(2)-(3); RFC 8058): an operator's send
// goes through the outbox only to people with current marketing consent who are not restricted,
// not objecting and not on the suppression list. Each message carries a List-Unsubscribe URL
// with a token signed for its recipient and List-Unsubscribe-Post for one-click unsubscribe;
// unsubscribing adds the address to the suppression list and records a consent withdrawal.
#pragma once

#include <optional>
#include <string>

#include "base/json.h"
#include "core/access/principal.h"
#include "core/context.h"

namespace mailjuke::core::privacy {

// "<user id>.<HMAC>": names the recipient, signed with the platform secret.
std::string unsubscribeToken(const std::string& secret_key, const std::string& user_id);
// The user id a well-signed token names; nullopt for anything else.
std::optional<std::string> unsubscribeTokenUser(const std::string& secret_key,
                                                const std::string& token);
// https://{host of public_url}/api/v1/unsubscribe?t=TOKEN (RFC 8058 §3.1 wants HTTPS).
std::string unsubscribeUrl(const CoreContext& ctx, const std::string& user_id);

// Queues the message for every allowed person; {id, subject, recipients, skipped, created_at}.
Result<Json> sendMarketing(CoreContext& ctx, const std::string& subject, const std::string& text,
                           const Principal& op);
Result<Page> listMarketingSends(store::Tx& tx, std::optional<std::string> cursor, int limit);

// GET: what the link would do, changing nothing: {subscribed, email (masked)}.
Result<Json> unsubscribeStatus(CoreContext& ctx, const std::string& token);
// POST (one click, no login): suppression + a withdrawal event; idempotent.
Result<Json> unsubscribe(CoreContext& ctx, const std::string& token);

}  // namespace mailjuke::core::privacy
