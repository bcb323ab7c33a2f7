// SEARCH and UID SEARCH (RFC 9051 §6.4.4, §6.4.9; RFC 3501 §7.2.5 untagged SEARCH).
#include "server/imap/imap_session.h"
#include "server/imap/search_keys.h"

namespace mailjuke::imap {
namespace {

struct SearchOut {
  Status status;
  std::string numbers;  // " 1 4 9"
};

}  // namespace

void ImapSession::cmdSearch() {
  auto key = parseSearch(cmd_.args);
  if (!key.ok()) {
    if (key.error().code == ErrorCode::kUnsupportedMedia)
      return tagged("NO", "[BADCHARSET (US-ASCII UTF-8)] Unsupported charset");
    return bad(key.error().message);
  }
  const bool heavy = needsContent(*key);
  std::vector<core::ImapMessage> msgs = selected_->messages;
  const bool uid = cmd_.uid;
  auto run = [this, msgs, uid, key = std::move(key).value()] {
    SearchOut out;
    uint32_t max_uid = msgs.empty() ? 0 : static_cast<uint32_t>(msgs.back().uid);
    for (size_t i = 0; i < msgs.size(); ++i) {
      std::optional<std::string> content;
      Status failed;
      SearchSubject s{msgs[i], static_cast<uint32_t>(i + 1), static_cast<uint32_t>(msgs.size()),
                      max_uid, [&]() -> const std::string& {
                        if (!content) {
                          auto c = backend_.content(msgs[i].blob_id);
                          if (!c.ok()) failed = c.error();
                          content = c.ok() ? std::move(*c) : std::string();
                        }
                        return *content;
                      }};
      // Header keys read the header block, which the store keeps in memory after first use.
      std::optional<std::string> header;
      s.header = [&]() -> const std::string& {
        if (content) return *content;
        if (!header) {
          auto h = backend_.header(msgs[i].blob_id);
          if (!h.ok()) failed = h.error();
          header = h.ok() ? std::move(*h) : std::string();
        }
        return *header;
      };
      bool hit = matches(key, s);
      if (!failed.ok()) {
        out.status = failed;
        return out;
      }
      if (hit) out.numbers += " " + std::to_string(uid ? msgs[i].uid : int64_t(i + 1));
    }
    return out;
  };
  auto then = [this](SearchOut& r) {
    if (!r.status.ok()) return no(r.status.error());
    untagged("SEARCH" + r.numbers);
    tagged("OK", cmd_.name + " completed");
  };
  if (!heavy) {
    // Flags, dates, sizes and numbers are in memory: answer without a trip to the pool.
    SearchOut r = run();
    return then(r);
  }
  blocking<SearchOut>(std::move(run), std::move(then));
}

}  // namespace mailjuke::imap
