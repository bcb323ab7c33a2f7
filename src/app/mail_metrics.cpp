#include "app/mail_metrics.h"

#include <fmt/format.h>

namespace mailjuke::app {

std::string renderMailMetrics(core::MailStore& store, core::MailQueue& queue, const Clock& clock) {
  std::string out;
  if (auto counters = store.countersOfDay(clock.nowSeconds()); counters.ok()) {
    struct Family {
      const char* name;
      const char* help;
      int64_t core::MailCounters::*field;
    };
    for (const Family& f :
         {Family{"mailjuke_mailbox_sent_today", "Messages a mailbox sent today (UTC).",
                 &core::MailCounters::sent_today},
          Family{"mailjuke_mailbox_bounced_today", "Bounces a mailbox received today (UTC).",
                 &core::MailCounters::bounced_today},
          Family{"mailjuke_mailbox_received_today", "Messages a mailbox received today (UTC).",
                 &core::MailCounters::received_today}}) {
      out += fmt::format("# HELP {0} {1}\n# TYPE {0} gauge\n", f.name, f.help);
      for (const auto& [id, c] : *counters)
        out += fmt::format("{}{{mailbox=\"{}\"}} {}\n", f.name, id, c.*(f.field));
    }
  }
  if (auto statuses = queue.countByStatus(); statuses.ok()) {
    out +=
        "# HELP mailjuke_mail_queue_entries Outbound queue entries by status.\n"
        "# TYPE mailjuke_mail_queue_entries gauge\n";
    for (const auto& [status, n] : *statuses)
      out += fmt::format("mailjuke_mail_queue_entries{{status=\"{}\"}} {}\n", status, n);
  }
  return out;
}

}  // namespace mailjuke::app
