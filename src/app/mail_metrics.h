// Prometheus families for mail: today's per-mailbox counters (labelled by mailbox id, never by
// address: /metrics is for operators, addresses are personal data) and the outbound queue.
#pragma once

#include <string>

#include "base/clock.h"
#include "core/mail/mail_queue.h"
#include "core/mail/mail_store.h"

namespace mailjuke::app {

std::string renderMailMetrics(core::MailStore& store, core::MailQueue& queue, const Clock& clock);

}  // namespace mailjuke::app
