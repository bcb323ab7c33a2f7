// Untagged updates from other sessions and SMTP delivery (RFC 9051 §7.4.1, §7.5.1; RFC 3501
// §7.4.1): the selected folder is reloaded and compared with the session's snapshot.
#include <cstdint>

#include "proto/imap/writer.h"
#include "server/imap/imap_session.h"

namespace mailjuke::imap {

void ImapSession::refresh(bool allow_expunge, std::function<void()> next) {
  watch_state_->dirty.store(false);  // before the read: a change during it sets it again
  std::string folder_id = selected_->folder.id;
  const bool read_only = selected_->read_only;
  // Expunges withheld earlier must be reported now even if nothing changed since.
  const int64_t known = expunge_pending_ && allow_expunge ? -1 : selected_->loaded_modseq;
  struct Reload {
    bool unchanged = false;
    int64_t modseq = -1;  // read before the messages
    Result<std::vector<core::ImapMessage>> messages = Error::internal("not run");
    int64_t first_recent = 0;
  };
  blocking<Reload>(
      [this, folder_id, read_only, known] {
        Reload r;
        // NOOP polls (sequencers check for replies this way) cost one row while nothing changed.
        auto modseq = backend_.highestModseq(folder_id);
        if (modseq.ok() && *modseq == known) {
          r.unchanged = true;
          return r;
        }
        if (modseq.ok()) r.modseq = *modseq;
        r.messages = backend_.messages(folder_id);
        // New arrivals become recent here if no other session claimed them first.
        int64_t upto =
            read_only || !r.messages.ok() || r.messages->empty() ? 0 : r.messages->back().uid + 1;
        auto claimed = backend_.claimRecent(folder_id, upto);
        r.first_recent = claimed.ok() ? *claimed : INT64_MAX;
        return r;
      },
      [this, allow_expunge, next = std::move(next)](Reload& r) {
        // A failed reload is not the command's failure: it runs on the old snapshot.
        if (!r.unchanged && r.messages.ok() && selected_) {
          reportChanges(*r.messages, allow_expunge, r.first_recent);
          selected_->loaded_modseq = r.modseq;
        }
        if (next) next();
      });
}

std::string ImapSession::flagsUpdate(size_t i) const {
  const auto& m = selected_->messages[i];
  std::string line = std::to_string(i + 1) + " FETCH (";
  if (condstore_) line += "UID " + std::to_string(m.uid) + " ";
  line += "FLAGS ";
  appendFlags(line, m);
  // RFC 7162 §3.2: with CONDSTORE enabled, flag updates carry the MODSEQ.
  if (condstore_) line += " MODSEQ (" + std::to_string(m.modseq) + ")";
  return line + ")";
}

void ImapSession::reportChanges(const std::vector<core::ImapMessage>& next, bool allow_expunge,
                                int64_t first_recent_uid) {
  auto& cur = selected_->messages;
  bool withheld = false;
  // Both lists are in UID order: walk them together.
  size_t i = 0, j = 0;
  while (i < cur.size()) {
    if (j < next.size() && next[j].uid == cur[i].uid) {
      bool changed = next[j].flags != cur[i].flags;
      cur[i] = next[j];
      if (changed) untagged(flagsUpdate(i));
      ++i, ++j;
    } else if (j < next.size() && next[j].uid < cur[i].uid) {
      ++j;  // cannot happen (UIDs only grow); skip rather than renumber
    } else if (allow_expunge) {
      untagged(std::to_string(i + 1) + " EXPUNGE");  // gone: later messages move up
      cur.erase(cur.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      withheld = true;  // keeps its sequence number until a command that may renumber
      ++i;
    }
  }
  expunge_pending_ = withheld;
  const int64_t last = cur.empty() ? 0 : cur.back().uid;
  size_t before = cur.size();
  for (; j < next.size(); ++j)
    if (next[j].uid > last) cur.push_back(next[j]);
  if (cur.size() != before) {
    untagged(std::to_string(cur.size()) + " EXISTS");
    // RFC 3501 §7.3.2: new arrivals count as recent in the session that sees them first; rev2
    // has no \Recent (RFC 9051 §2.3.2).
    addRecent(cur, before, first_recent_uid);
    if (!rev2_) untagged(std::to_string(recentCount()) + " RECENT");
  }
  if (!cur.empty() && cur.back().uid >= selected_->folder.uidnext)
    selected_->folder.uidnext = cur.back().uid + 1;
  for (const auto& m : cur)
    if (m.modseq > selected_->folder.highest_modseq) selected_->folder.highest_modseq = m.modseq;
}

}  // namespace mailjuke::imap
