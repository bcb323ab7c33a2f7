// STORE and UID STORE (RFC 9051 §6.4.6, §6.4.9).
#include <strings.h>

#include <algorithm>
#include <optional>

#include "proto/imap/writer.h"
#include "server/imap/imap_session.h"

namespace mailjuke::imap {

void ImapSession::cmdStore() {
  // STORE set [(UNCHANGEDSINCE n)] item flags
  std::vector<Token> args = cmd_.args;
  std::optional<int64_t> unchanged_since;
  if (args.size() >= 2 && args[1].kind == Token::Kind::kList) {
    // RFC 7162 §3.1.3: STORE set (UNCHANGEDSINCE modseq) …; it enables CONDSTORE.
    const auto& mods = args[1].items;
    if (mods.size() != 2 || mods[0].kind != Token::Kind::kAtom ||
        mods[1].kind != Token::Kind::kAtom || strcasecmp(mods[0].text.c_str(), "UNCHANGEDSINCE"))
      return bad("Unknown STORE modifier");
    const std::string& v = mods[1].text;
    if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos)
      return bad("Bad UNCHANGEDSINCE value");
    unchanged_since = std::stoll(v);
    condstore_ = true;
    args.erase(args.begin() + 1);
  }
  if (args.size() < 3) return bad("STORE needs a sequence set, an item and flags");
  if (selected_->read_only) return tagged("NO", "[READ-ONLY] Mailbox is read-only");
  if (args[0].kind != Token::Kind::kAtom) return bad("Bad sequence set");
  auto set = parseSequenceSet(args[0].text);
  if (!set.ok()) return bad(set.error().message);
  if (args[1].kind != Token::Kind::kAtom) return bad("Bad STORE item");
  std::string item = args[1].text;
  for (char& c : item) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  core::FlagUpdate update;
  update.unchanged_since = unchanged_since;
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
  for (size_t i = 2; i < args.size(); ++i) {
    const Token& t = args[i];
    if (t.kind == Token::Kind::kList) {
      if (args.size() != 3) return bad("Bad flag list");
      auto flags = parseFlagList(t);
      if (!flags.ok()) return bad(flags.error().message);
      update.flags = std::move(*flags);
    } else {
      auto flags = parseFlagList(t);
      if (!flags.ok()) return bad(flags.error().message);
      update.flags.push_back((*flags)[0]);
    }
  }
  // RFC 3501 §2.3.2: \Recent is the server's; a client cannot set or clear it.
  std::erase_if(update.flags,
                [](const std::string& f) { return strcasecmp(f.c_str(), "\\Recent") == 0; });
  std::vector<int64_t> uids;
  for (size_t i : resolve(*set)) uids.push_back(selected_->messages[i].uid);
  if (uids.empty()) return tagged("OK", cmd_.name + " completed");
  std::string folder_id = selected_->folder.id;
  blocking<Result<core::FlagUpdateResult>>(
      [this, folder_id, uids, update] { return backend_.storeFlags(folder_id, uids, update); },
      [this, uids, silent](Result<core::FlagUpdateResult>& r) {
        if (!r.ok()) return no(r.error());
        auto& msgs = selected_->messages;
        std::vector<int64_t> changed;
        for (const auto& c : r->changed) {
          changed.push_back(c.uid);
          for (auto& m : msgs)
            if (m.uid == c.uid) m = c;
        }
        const auto& failed = r->failed_uids;  // sorted
        // RFC 9051 §6.4.6: the new flags of each message, unless .SILENT; UID STORE adds UID.
        // RFC 7162 §3.1.3: with CONDSTORE, MODSEQ too, and even .SILENT reports the changed
        // messages' MODSEQ; messages that failed UNCHANGEDSINCE are not reported.
        std::string modified;
        for (size_t i = 0; i < msgs.size(); ++i) {
          const int64_t uid = msgs[i].uid;
          if (!std::binary_search(uids.begin(), uids.end(), uid)) continue;
          if (std::binary_search(failed.begin(), failed.end(), uid)) {
            modified += (modified.empty() ? "" : ",") + std::to_string(cmd_.uid ? uid : i + 1);
            continue;
          }
          const bool was_changed = std::binary_search(changed.begin(), changed.end(), uid);
          if (silent && !(condstore_ && was_changed)) continue;
          std::string line = std::to_string(i + 1) + " FETCH (";
          if (cmd_.uid) line += "UID " + std::to_string(uid) + " ";
          if (!silent) {
            line += "FLAGS ";
            appendFlags(line, msgs[i]);
            if (condstore_) line += " ";
          }
          if (condstore_) line += "MODSEQ (" + std::to_string(msgs[i].modseq) + ")";
          untagged(line + ")");
        }
        if (!modified.empty())
          return tagged("OK", "[MODIFIED " + modified + "] Conditional STORE failed for some");
        tagged("OK", cmd_.name + " completed");
      });
}

}  // namespace mailjuke::imap
