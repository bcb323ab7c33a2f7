// NOOP in the selected state (RFC 9051 §6.1.2, §7.4.1, §7.5.1): reloads the folder and reports
// what other sessions and SMTP delivery changed since the last look — EXPUNGE for messages gone,
// FETCH FLAGS for flag changes, EXISTS for new mail. Other states just answer OK.
#include "proto/imap/writer.h"
#include "server/imap/imap_session.h"

namespace mailjuke::imap {

void ImapSession::cmdNoop() {
  if (state_ != State::kSelected) return tagged("OK", cmd_.name + " completed");
  std::string folder_id = selected_->folder.id;
  blocking<Result<std::vector<core::ImapMessage>>>(
      [this, folder_id] { return backend_.messages(folder_id); },
      [this](Result<std::vector<core::ImapMessage>>& r) {
        if (!r.ok()) return no(r.error());
        auto& cur = selected_->messages;
        const auto& next = *r;
        // Both lists are in UID order: walk them together.
        size_t i = 0, j = 0;
        while (i < cur.size()) {
          if (j < next.size() && next[j].uid == cur[i].uid) {
            if (next[j].flags != cur[i].flags) {
              std::string line = std::to_string(i + 1) + " FETCH (FLAGS ";
              appendFlagList(line, next[j].flags);
              untagged(line + ")");
            }
            cur[i] = next[j];
            ++i, ++j;
          } else if (j < next.size() && next[j].uid < cur[i].uid) {
            ++j;  // cannot happen (UIDs only grow); skip rather than renumber
          } else {
            untagged(std::to_string(i + 1) + " EXPUNGE");  // gone: later messages move up
            cur.erase(cur.begin() + static_cast<std::ptrdiff_t>(i));
          }
        }
        const int64_t last = cur.empty() ? 0 : cur.back().uid;
        size_t before = cur.size();
        for (; j < next.size(); ++j)
          if (next[j].uid > last) cur.push_back(next[j]);
        if (cur.size() != before) untagged(std::to_string(cur.size()) + " EXISTS");
        tagged("OK", cmd_.name + " completed");
      });
}

}  // namespace mailjuke::imap
