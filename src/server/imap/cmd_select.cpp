// SELECT and EXAMINE (RFC 9051 §6.3.2, §6.3.3; RFC 3501 §6.3.1), CLOSE (§6.4.1), UNSELECT
// (RFC 3691) and EXPUNGE / UID EXPUNGE (RFC 4315).
#include "server/imap/imap_session.h"

namespace mailjuke::imap {
namespace {

struct Opened {
  Result<core::ImapFolderStatus> status = Error::internal("not run");
  Result<std::vector<core::ImapMessage>> messages = std::vector<core::ImapMessage>();
  Result<int64_t> first_recent = int64_t(0);
};

}  // namespace

void ImapSession::cmdSelect() {
  const bool examine = cmd_.name == "EXAMINE";
  if (cmd_.args.empty() || cmd_.args.size() > 2) return bad(cmd_.name + " needs a mailbox name");
  auto name = mailboxArg(cmd_.args[0]);
  if (!name) return;
  if (cmd_.args.size() == 2) {
    // RFC 7162 §3.1.8: SELECT mailbox (CONDSTORE) enables CONDSTORE.
    const Token& p = cmd_.args[1];
    if (p.kind != Token::Kind::kList) return bad("Bad SELECT parameters");
    for (const auto& t : p.items) {
      std::string u = t.text;
      for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (t.kind != Token::Kind::kAtom || u != "CONDSTORE") return bad("Unknown SELECT parameter");
      condstore_ = true;
    }
  }
  // RFC 9051 §6.3.2: a SELECT deselects the current mailbox first, even if it then fails.
  selected_.reset();
  state_ = State::kAuthenticated;
  watch_state_->dirty.store(false);  // the load below sees everything before this point
  // Hear every folder while loading (the folder id is known only after the load), then only
  // the selected one: a change during the load sets dirty either way.
  if (watch_) watch_->narrowTo("");
  expunge_pending_ = false;
  recent_uids_.clear();
  std::string mailbox_id = account_->id;
  std::string folder = *name;
  blocking<Opened>(
      [this, mailbox_id, folder, examine] {
        Opened o;
        o.status = backend_.status(mailbox_id, folder);
        if (o.status.ok()) o.messages = backend_.messages(o.status->folder.id);
        // RFC 3501 §2.3.2: SELECT claims the recent messages it loaded; EXAMINE only looks.
        if (o.status.ok() && o.messages.ok()) {
          int64_t upto = examine || o.messages->empty() ? 0 : o.messages->back().uid + 1;
          o.first_recent = backend_.claimRecent(o.status->folder.id, upto);
        }
        return o;
      },
      [this, examine](Opened& o) {
        if (!o.status.ok()) return no(o.status.error());
        if (!o.messages.ok()) return no(o.messages.error());
        if (!o.first_recent.ok()) return no(o.first_recent.error());
        Selected s;
        s.folder = o.status->folder;
        s.read_only = examine;
        s.messages = std::move(*o.messages);
        s.loaded_modseq = o.status->folder.highest_modseq;  // read before the messages
        untagged("FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)");
        untagged("OK [PERMANENTFLAGS (" +
                 std::string(examine ? "" : "\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*") +
                 ")] Flags permitted");
        untagged(std::to_string(s.messages.size()) + " EXISTS");
        // RFC 3501 §6.3.1 requires it (rev1); RFC 9051 dropped it.
        addRecent(s.messages, 0, *o.first_recent);
        if (!rev2_) untagged(std::to_string(recent_uids_.size()) + " RECENT");
        // RFC 3501 §6.3.1: [UNSEEN n] is the first unseen message's sequence number.
        for (size_t i = 0; i < s.messages.size(); ++i) {
          if (!core::hasFlag(s.messages[i].flags, "\\Seen")) {
            untagged("OK [UNSEEN " + std::to_string(i + 1) + "] First unseen");
            break;
          }
        }
        untagged("OK [UIDVALIDITY " + std::to_string(s.folder.uidvalidity) + "] UIDs valid");
        untagged("OK [UIDNEXT " + std::to_string(s.folder.uidnext) + "] Predicted next UID");
        // RFC 7162 §3.1.2.1.
        untagged("OK [HIGHESTMODSEQ " + std::to_string(s.folder.highest_modseq) + "] Highest");
        if (watch_) watch_->narrowTo(s.folder.id);
        selected_ = std::move(s);
        state_ = State::kSelected;
        tagged("OK",
               std::string(examine ? "[READ-ONLY] " : "[READ-WRITE] ") + cmd_.name + " completed");
      });
}

void ImapSession::cmdClose() {
  if (!cmd_.args.empty()) return bad(cmd_.name + " takes no arguments");
  // UNSELECT (RFC 3691 §2) and CLOSE on a read-only mailbox: just leave it.
  if (cmd_.name == "UNSELECT" || selected_->read_only) {
    selected_.reset();
    state_ = State::kAuthenticated;
    return tagged("OK", cmd_.name + " completed");
  }
  // RFC 9051 §6.4.1: CLOSE expunges \Deleted messages silently (no EXPUNGE responses).
  std::string folder_id = selected_->folder.id;
  blocking<Result<std::vector<int64_t>>>(
      [this, folder_id] { return backend_.expunge(folder_id, std::nullopt); },
      [this](Result<std::vector<int64_t>>& r) {
        selected_.reset();
        state_ = State::kAuthenticated;
        if (!r.ok()) return no(r.error());
        tagged("OK", "CLOSE completed");
      });
}

void ImapSession::cmdExpunge() {
  // RFC 9051 §6.4.3; UID EXPUNGE set (RFC 4315 §2.1) removes only \Deleted messages in the set.
  std::optional<std::vector<int64_t>> only;
  if (cmd_.uid) {
    if (cmd_.args.size() != 1 || cmd_.args[0].kind != Token::Kind::kAtom)
      return bad("UID EXPUNGE needs a UID set");
    auto set = parseSequenceSet(cmd_.args[0].text);
    if (!set.ok()) return bad(set.error().message);
    only.emplace();
    for (size_t i : resolve(*set)) only->push_back(selected_->messages[i].uid);
    if (only->empty()) return tagged("OK", "EXPUNGE completed");
  } else if (!cmd_.args.empty()) {
    return bad("EXPUNGE takes no arguments");
  }
  if (selected_->read_only) return tagged("NO", "[READ-ONLY] Mailbox is read-only");
  std::string folder_id = selected_->folder.id;
  blocking<Result<std::vector<int64_t>>>(
      [this, folder_id, only] { return backend_.expunge(folder_id, only); },
      [this](Result<std::vector<int64_t>>& r) {
        if (!r.ok()) return no(r.error());
        // Ascending UIDs; each EXPUNGE renumbers the messages after it (RFC 9051 §7.5.1).
        auto& msgs = selected_->messages;
        for (int64_t uid : *r) {
          for (size_t i = 0; i < msgs.size(); ++i) {
            if (msgs[i].uid != uid) continue;
            untagged(std::to_string(i + 1) + " EXPUNGE");
            msgs.erase(msgs.begin() + static_cast<std::ptrdiff_t>(i));
            break;
          }
        }
        tagged("OK", "EXPUNGE completed");
      });
}

}  // namespace mailjuke::imap
