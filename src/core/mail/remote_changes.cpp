#include "core/mail/remote_changes.h"

#include <algorithm>
#include <vector>

namespace mailjuke::core {

Result<size_t> RemoteChanges::pollOnce() {
  const std::vector<std::string> watched = changes_.watchedMailboxes();
  std::map<std::string, std::string> now;
  constexpr size_t kChunk = 500;
  for (size_t start = 0; start < watched.size(); start += kChunk) {
    const size_t end = std::min(watched.size(), start + kChunk);
    std::string sql =
        "SELECT mailbox_id, id, uidnext, highest_modseq FROM mail_folders WHERE mailbox_id IN (";
    store::Params params;
    for (size_t i = start; i < end; ++i) {
      sql += i == start ? "?" : ", ?";
      params.push_back(watched[i]);
    }
    sql += ") ORDER BY mailbox_id, id";
    auto st = ctx_.db.run(store::TxMode::kRead, [&](store::Tx& tx) -> Status {
      MJ_TRY_ASSIGN(auto rows, tx.query(sql, params));
      for (const auto& r : rows) {
        std::string& state = now[r.text(0)];
        state += r.text(1) + ':' + std::to_string(r.integer(2)) + ':' +
                 std::to_string(r.integer(3)) + ';';
      }
      return {};
    });
    if (!st.ok()) return st.error();
  }
  size_t notified = 0;
  for (const auto& mailbox_id : watched) {
    std::string state = now.count(mailbox_id) ? now[mailbox_id] : std::string();
    auto it = seen_.find(mailbox_id);
    const bool changed = it != seen_.end() && it->second != state;
    if (changed) {
      changes_.notify(mailbox_id);  // no Scope on this thread: every session hears it
      ++notified;
    }
  }
  // Mailboxes nobody watches any more are forgotten (compared afresh when watched again).
  seen_.clear();
  for (const auto& mailbox_id : watched) seen_[mailbox_id] = now[mailbox_id];
  return notified;
}

}  // namespace mailjuke::core
