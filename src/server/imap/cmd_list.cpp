// LIST and LSUB (RFC 9051 §6.3.9, RFC 3501 §6.3.9) with SPECIAL-USE attributes (RFC 6154 §2).
#include <strings.h>

#include <algorithm>
#include <cctype>

#include "proto/imap/writer.h"
#include "server/imap/imap_session.h"

namespace mailjuke::imap {
namespace {

// RFC 9051 §6.3.9: '*' matches anything, '%' anything but the hierarchy delimiter.
bool wildcardMatch(std::string_view pattern, std::string_view name) {
  if (pattern.empty()) return name.empty();
  char p = pattern[0];
  if (p == '*' || p == '%') {
    for (size_t i = 0; i <= name.size(); ++i) {
      if (wildcardMatch(pattern.substr(1), name.substr(i))) return true;
      if (i < name.size() && p == '%' && name[i] == '/') return false;
    }
    return false;
  }
  return !name.empty() && name[0] == p && wildcardMatch(pattern.substr(1), name.substr(1));
}

bool matches(const std::string& pattern, const std::string& name) {
  // RFC 9051 §5.1: INBOX is case-insensitive, also as the start of a pattern.
  auto inboxed = [](const std::string& s) {
    if (s.size() >= 5 && strncasecmp(s.c_str(), "INBOX", 5) == 0 && (s.size() == 5 || s[5] == '/'))
      return "INBOX" + s.substr(5);
    return s;
  };
  return wildcardMatch(inboxed(pattern), inboxed(name));
}

}  // namespace

void ImapSession::cmdList() {
  const bool lsub = cmd_.name == "LSUB";
  // LIST reference pattern [RETURN (…)]: return options are accepted and SPECIAL-USE is always
  // reported (RFC 6154 §2 allows it in plain LIST).
  if (cmd_.args.size() < 2) return bad("LIST needs a reference and a pattern");
  if (cmd_.args[0].kind == Token::Kind::kList || cmd_.args[1].kind == Token::Kind::kList)
    return bad("LIST-EXTENDED selection options are not supported");
  auto ref = mailboxArg(cmd_.args[0]);
  if (!ref) return;
  auto pat = mailboxArg(cmd_.args[1]);
  if (!pat) return;
  if (pat->empty()) {
    // RFC 9051 §6.3.9: an empty pattern asks for the delimiter and the root.
    untagged(std::string(lsub ? "LSUB" : "LIST") + " (\\Noselect) \"/\" \"\"");
    return tagged("OK", cmd_.name + " completed");
  }
  std::string pattern = *ref + *pat;
  std::string mailbox_id = account_->id;
  blocking<Result<std::vector<core::ImapFolder>>>(
      [this, mailbox_id] { return backend_.folders(mailbox_id); },
      [this, lsub, pattern](Result<std::vector<core::ImapFolder>>& r) {
        if (!r.ok()) return no(r.error());
        for (const auto& f : *r) {
          if (lsub && !f.subscribed) continue;
          if (!matches(pattern, f.name)) continue;
          bool children = std::any_of(r->begin(), r->end(), [&](const core::ImapFolder& o) {
            return o.name.size() > f.name.size() + 1 &&
                   o.name.compare(0, f.name.size() + 1, f.name + "/") == 0;
          });
          std::string attrs = children ? "\\HasChildren" : "\\HasNoChildren";
          if (!lsub && f.special_use) attrs += " " + *f.special_use;
          untagged(std::string(lsub ? "LSUB" : "LIST") + " (" + attrs + ") \"/\" " +
                   mailboxName(f.name));
        }
        tagged("OK", cmd_.name + " completed");
      });
}

void ImapSession::cmdStatus() {
  // RFC 9051 §6.3.11: STATUS mailbox (items)
  if (cmd_.args.size() != 2 || cmd_.args[1].kind != Token::Kind::kList ||
      cmd_.args[1].items.empty())
    return bad("STATUS needs a mailbox and a list of items");
  auto name = mailboxArg(cmd_.args[0]);
  if (!name) return;
  std::vector<std::string> items;
  for (const auto& t : cmd_.args[1].items) {
    if (t.kind != Token::Kind::kAtom) return bad("Bad STATUS item");
    std::string u = t.text;
    for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (u != "MESSAGES" && u != "UIDNEXT" && u != "UIDVALIDITY" && u != "UNSEEN" && u != "RECENT" &&
        u != "HIGHESTMODSEQ")
      return bad("Unknown STATUS item " + t.text);
    items.push_back(u);
  }
  std::string mailbox_id = account_->id;
  std::string folder = *name;
  blocking<Result<core::ImapFolderStatus>>(
      [this, mailbox_id, folder] { return backend_.status(mailbox_id, folder); },
      [this, items](Result<core::ImapFolderStatus>& r) {
        if (!r.ok()) return no(r.error());
        std::string out = "STATUS " + mailboxName(r->folder.name) + " (";
        for (size_t i = 0; i < items.size(); ++i) {
          const std::string& it = items[i];
          int64_t v = it == "MESSAGES"      ? r->messages
                      : it == "UIDNEXT"     ? r->folder.uidnext
                      : it == "UIDVALIDITY" ? r->folder.uidvalidity
                      : it == "UNSEEN"      ? r->unseen
                      : it == "RECENT"      ? 0  // \Recent is not tracked (RFC 9051 drops it)
                                            : r->folder.highest_modseq;
          out += (i ? " " : "") + it + " " + std::to_string(v);
        }
        untagged(out + ")");
        tagged("OK", "STATUS completed");
      });
}

}  // namespace mailjuke::imap
