// STORE and UID STORE (RFC 9051 §6.4.6, §6.4.9).
#include <algorithm>

#include "proto/imap/writer.h"
#include "server/imap/imap_session.h"

namespace mailjuke::imap {

void ImapSession::cmdStore() {
  // STORE set [(UNCHANGEDSINCE n)] item flags
  if (cmd_.args.size() < 3) return bad("STORE needs a sequence set, an item and flags");
  if (selected_->read_only) return tagged("NO", "[READ-ONLY] Mailbox is read-only");
  if (cmd_.args[0].kind != Token::Kind::kAtom) return bad("Bad sequence set");
  auto set = parseSequenceSet(cmd_.args[0].text);
  if (!set.ok()) return bad(set.error().message);
  if (cmd_.args[1].kind != Token::Kind::kAtom) return bad("Bad STORE item");
  std::string item = cmd_.args[1].text;
  for (char& c : item) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  core::FlagUpdate update;
  if (item.rfind("+FLAGS", 0) == 0) {
    update.mode = core::FlagMode::kAdd;
    item = item.substr(1);
  } else if (item.rfind("-FLAGS", 0) == 0) {
    update.mode = core::FlagMode::kRemove;
    item = item.substr(1);
  } else {
    update.mode = core::FlagMode::kReplace;
  }
  if (item != "FLAGS" && item != "FLAGS.SILENT") return bad("Unknown STORE item");
  const bool silent = item == "FLAGS.SILENT";
  // RFC 9051 §6.4.6: a flag list, or flags separated by spaces.
  for (size_t i = 2; i < cmd_.args.size(); ++i) {
    const Token& t = cmd_.args[i];
    if (t.kind == Token::Kind::kList) {
      if (cmd_.args.size() != 3) return bad("Bad flag list");
      auto flags = parseFlagList(t);
      if (!flags.ok()) return bad(flags.error().message);
      update.flags = std::move(*flags);
    } else {
      auto flags = parseFlagList(t);
      if (!flags.ok()) return bad(flags.error().message);
      update.flags.push_back((*flags)[0]);
    }
  }
  std::vector<int64_t> uids;
  for (size_t i : resolve(*set)) uids.push_back(selected_->messages[i].uid);
  if (uids.empty()) return tagged("OK", cmd_.name + " completed");
  std::string folder_id = selected_->folder.id;
  blocking<Result<core::FlagUpdateResult>>(
      [this, folder_id, uids, update] { return backend_.storeFlags(folder_id, uids, update); },
      [this, uids, silent](Result<core::FlagUpdateResult>& r) {
        if (!r.ok()) return no(r.error());
        auto& msgs = selected_->messages;
        for (const auto& c : r->changed)
          for (auto& m : msgs)
            if (m.uid == c.uid) m = c;
        // RFC 9051 §6.4.6: the new flags of each message, unless .SILENT; UID STORE adds UID.
        if (!silent) {
          for (size_t i = 0; i < msgs.size(); ++i) {
            if (!std::binary_search(uids.begin(), uids.end(), msgs[i].uid)) continue;
            std::string line = std::to_string(i + 1) + " FETCH (";
            if (cmd_.uid) line += "UID " + std::to_string(msgs[i].uid) + " ";
            line += "FLAGS ";
            appendFlagList(line, msgs[i].flags);
            untagged(line + ")");
          }
        }
        tagged("OK", cmd_.name + " completed");
      });
}

}  // namespace mailjuke::imap
