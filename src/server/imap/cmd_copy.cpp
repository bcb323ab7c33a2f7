// COPY, MOVE and their UID forms (RFC 9051 §6.4.7, §6.4.8; RFC 6851 MOVE).
#include "server/imap/imap_session.h"

namespace mailjuke::imap {
namespace {

std::string joinUids(const std::vector<int64_t>& uids) {
  std::string out;
  for (int64_t u : uids) out += (out.empty() ? "" : ",") + std::to_string(u);
  return out;
}

}  // namespace

void ImapSession::cmdCopy() {
  const bool move = cmd_.name == "MOVE";
  if (cmd_.args.size() != 2) return bad(cmd_.name + " needs a sequence set and a mailbox");
  if (cmd_.args[0].kind != Token::Kind::kAtom) return bad("Bad sequence set");
  auto set = parseSequenceSet(cmd_.args[0].text);
  if (!set.ok()) return bad(set.error().message);
  auto dest = mailboxArg(cmd_.args[1]);
  if (!dest) return;
  if (move && selected_->read_only) return tagged("NO", "[READ-ONLY] Mailbox is read-only");
  std::vector<int64_t> uids;
  for (size_t i : resolve(*set)) uids.push_back(selected_->messages[i].uid);
  if (uids.empty()) return tagged("OK", cmd_.name + " completed");
  std::string mailbox_id = account_->id, folder_id = selected_->folder.id, to = *dest;
  blocking<Result<core::CopyResult>>(
      [this, mailbox_id, folder_id, uids, to, move] {
        core::MailChanges::Scope everyone(nullptr);  // a selected destination reports EXISTS
        return backend_.copy(mailbox_id, folder_id, uids, to, move);
      },
      [this, move](Result<core::CopyResult>& r) {
        if (!r.ok()) {
          // RFC 9051 §6.4.7: a missing destination answers [TRYCREATE].
          if (r.error().code == ErrorCode::kNotFound)
            return tagged("NO", "[TRYCREATE] No such mailbox");
          return no(r.error());
        }
        // RFC 4315 §3 COPYUID; for MOVE it comes untagged before the EXPUNGEs (RFC 6851 §4.3).
        std::string code = "[COPYUID " + std::to_string(r->uidvalidity) + " " +
                           joinUids(r->source) + " " + joinUids(r->dest) + "]";
        if (r->source.empty()) return tagged("OK", cmd_.name + " completed");
        if (!move) return tagged("OK", code + " COPY completed");
        untagged("OK " + code + " Moved");
        auto& msgs = selected_->messages;
        for (int64_t uid : r->source) {
          for (size_t i = 0; i < msgs.size(); ++i) {
            if (msgs[i].uid != uid) continue;
            untagged(std::to_string(i + 1) + " EXPUNGE");
            msgs.erase(msgs.begin() + static_cast<std::ptrdiff_t>(i));
            break;
          }
        }
        tagged("OK", "MOVE completed");
      });
}

}  // namespace mailjuke::imap
