// \Recent (RFC 3501 §2.3.2): which messages this session "owns" as recent. A message is recent
// in the first session that selects its folder read-write after it arrived (or that has the
// folder selected when it arrives); core::ImapStore::claimRecent arbitrates between sessions.
// EXAMINE shows the unclaimed ones as recent without claiming them. IMAP4rev2 (RFC 9051) has
// no \Recent: after ENABLE IMAP4rev2 nothing is reported.
#include <algorithm>

#include "proto/imap/writer.h"
#include "server/imap/imap_session.h"

namespace mailjuke::imap {

bool ImapSession::isRecent(int64_t uid) const {
  return !rev2_ && std::binary_search(recent_uids_.begin(), recent_uids_.end(), uid);
}

size_t ImapSession::recentCount() const {
  if (rev2_ || !selected_) return 0;
  size_t n = 0;
  for (const auto& m : selected_->messages) n += isRecent(m.uid) ? 1 : 0;
  return n;
}

void ImapSession::addRecent(const std::vector<core::ImapMessage>& messages, size_t from,
                            int64_t first_recent_uid) {
  for (size_t i = from; i < messages.size(); ++i)
    if (messages[i].uid >= first_recent_uid) recent_uids_.push_back(messages[i].uid);
  std::sort(recent_uids_.begin(), recent_uids_.end());
}

void ImapSession::appendFlags(std::string& out, const core::ImapMessage& m) const {
  if (!isRecent(m.uid)) return appendFlagList(out, m.flags);
  std::vector<std::string> flags = m.flags;
  flags.push_back("\\Recent");
  appendFlagList(out, flags);
}

}  // namespace mailjuke::imap
