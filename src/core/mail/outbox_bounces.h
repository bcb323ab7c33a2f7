// Bounces of platform e-mail (the outbox, outbox_sender.h) fed back to its row: the row becomes
// `bounced` (bounced_at, bounce_status, last_error = the reason) and a hard bounce
// (isHardBounce: class 5 but 5.4.7) puts the address on the marketing suppression list
// (privacy::suppress, reason "hard bounce"). Two ways in:
//  - the delivery worker gives up on a queue entry that carried an outbox message (matched by
//    outbox.queue_id = the stored message's id): no DSN is then sent to the platform address;
//  - a DSN arrives at the platform address over SMTP (MailIntake): matched by the original's
//    Message-ID `<outbox-id@platform-domain>` in the returned header section, and only when its
//    failed Final-Recipient is the row's recipient (the id alone, known to the recipient, is
//    not enough to mark someone else's row).
// Only a `queued` row changes; a second report for a bounced row changes nothing.
//
// Blocking (SQL); safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "core/context.h"
#include "core/mail/dsn.h"

namespace mailjuke::core {

// The delivery worker's permanent failures for the stored message `queue_id`. Returns whether
// it was an outbox message (then the caller sends no DSN).
Result<bool> bounceOutboxByQueueId(CoreContext& ctx, const std::string& queue_id,
                                   const std::vector<DsnRecipient>& failed, int64_t now);

// A report received for the platform sender `platform_address`. Returns the number of outbox
// rows it marked bounced (0: not a DSN, not ours, or not a failure).
Result<int> bounceOutboxFromReport(CoreContext& ctx, const std::string& platform_address,
                                   std::string_view message, int64_t now);

}  // namespace mailjuke::core
