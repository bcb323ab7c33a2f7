// Delivery status notifications (RFC 3464): a multipart/report; report-type=delivery-status with
// a human-readable part, the message/delivery-status part and the original's header section
// (text/rfc822-headers), from MAILER-DAEMON with a null envelope sender (RFC 5321 §4.5.5).
// Pure except sendDsn(), which stores and queues the report (blocking: worker pool).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/context.h"
#include "core/mail/mail_store.h"

namespace mailjuke::core {

struct DsnRecipient {
  std::string address;
  std::string status = "5.0.0";  // RFC 3463 enhanced status, class 5 (Action: failed)
  std::string diagnostic;        // the remote reply, e.g. "550 5.1.1 no such user"
  std::string remote_mta;        // the host that answered, "" when none did
};

struct DsnInput {
  std::string reporting_mta;           // our hostname
  std::string original_envelope_from;  // where the report goes
  std::string original_message;        // the original bytes (only its header section is kept)
  int64_t arrival_date = 0;            // when we accepted the original
  int64_t now = 0;
  std::vector<DsnRecipient> recipients;
};

// RFC 3463: the enhanced status code at the start of a reply's text ("550 5.1.1 ..."), forced
// to class 5; from the basic code when absent (5yz → 5.0.0; 4yz given up → 5.4.7 expired).
std::string failureStatus(const std::string& reply);

// The report's bytes, CRLF line ends.
std::string buildDsn(const DsnInput& input);

// The AcceptedMessage that carries the report: local delivery to the sender's INBOX when
// `sender_mailbox_id` (the hosted mailbox of original_envelope_from) is set, otherwise queued
// for remote delivery. nullopt for a null-sender original: never bounce a bounce.
std::optional<AcceptedMessage> dsnMessage(const DsnInput& input,
                                          const std::optional<std::string>& sender_mailbox_id);

// Builds, stores and queues the report and bumps mailbox_counters.bounced for
// `counted_mailbox_id` (the original's sender mailbox). Returns the stored id, or "" when no
// report is due (null sender).
Result<std::string> sendDsn(CoreContext& ctx, MailStore& store, const DsnInput& input,
                            const std::optional<std::string>& sender_mailbox_id,
                            const std::optional<std::string>& counted_mailbox_id);

}  // namespace mailjuke::core
