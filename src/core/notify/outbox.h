// Outgoing e-mail is written to the outbox table (in the caller's transaction) with a rendered
// text and HTML body; core/mail/outbox_sender.h turns each row into a message and hands it to the
// mail store (local INBOX or the outbound queue). Operators read rows and their delivery state
// (pending, sending, queued, suppressed, failed, expired) through /api/v1/admin/outbox, and tests
// read verification links from it.
#pragma once

#include <string>

#include "core/context.h"

namespace mailjuke::core {

struct Email {
  std::string kind;  // verify_email, password_reset, invitation, security_alert, ...
  std::string to;
  std::string user_id;  // empty for people without an account
  std::string subject;
  std::string text;
  Json headers = Json::object();  // extra header fields (List-Unsubscribe, ...), name → value
};

// Renders the HTML alternative from the text (escaped, paragraphs, links) and enqueues.
Status enqueueEmail(store::Tx& tx, const Email& email, int64_t now);
std::string htmlEscape(std::string_view s);

Result<Page> listOutbox(store::Tx& tx, std::optional<std::string> to,
                        std::optional<std::string> cursor, int limit);

}  // namespace mailjuke::core
