// IDLE (RFC 2177, RFC 9051 §6.3.13): "+ idling", then untagged updates as the mailbox changes
// (the driver wakes the session through setWake; process() reloads when refreshDue()), until
// the client sends DONE (handled in ImapSession::handle).
#include "server/imap/imap_session.h"

namespace mailjuke::imap {

void ImapSession::cmdIdle() {
  if (!cmd_.args.empty()) return bad("IDLE takes no arguments");
  idling_ = true;
  out_ += "+ idling\r\n";
  // Changes that are already known are reported right away (process() sees them due).
  if (selected_ && expunge_pending_) watch_state_->dirty.store(true);
}

}  // namespace mailjuke::imap
