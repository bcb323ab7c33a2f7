// NOOP in the selected state (RFC 9051 §6.1.2, §7.4.1, §7.5.1) and CHECK: reload the folder and
// report what other sessions and SMTP delivery changed since the last look (updates.cpp).
// Other states just answer OK.
#include "server/imap/imap_session.h"

namespace mailjuke::imap {

void ImapSession::cmdNoop() {
  if (state_ != State::kSelected) return tagged("OK", cmd_.name + " completed");
  refresh(true, [this] { tagged("OK", cmd_.name + " completed"); });
}

}  // namespace mailjuke::imap
