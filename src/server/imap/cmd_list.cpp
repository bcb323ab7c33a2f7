// LIST and LSUB (RFC 9051 §6.3.9, RFC 3501 §6.3.9) with SPECIAL-USE attributes (RFC 6154 §2).
#include <strings.h>

#include <algorithm>
#include <cctype>
#include <map>

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
  // LIST reference pattern [RETURN (…)]: SPECIAL-USE is always reported (RFC 6154 §2 allows
  // it in plain LIST), CHILDREN too; RETURN (STATUS (…)) adds a STATUS per mailbox (RFC 5819),
  // RETURN (SUBSCRIBED) the \Subscribed attribute (RFC 5258 §4).
  if (cmd_.args.size() < 2) return bad("LIST needs a reference and a pattern");
  if (cmd_.args[0].kind == Token::Kind::kList || cmd_.args[1].kind == Token::Kind::kList)
    return bad("LIST-EXTENDED selection options are not supported");
  std::vector<std::string> status_items;
  bool want_subscribed = false;
  if (cmd_.args.size() > 2) {
    if (lsub || cmd_.args.size() != 4 || !cmd_.args[2].isAtom("RETURN") ||
        cmd_.args[3].kind != Token::Kind::kList)
      return bad("Expected RETURN (options)");
    const auto& opts = cmd_.args[3].items;
    for (size_t i = 0; i < opts.size(); ++i) {
      if (opts[i].isAtom("STATUS") && i + 1 < opts.size() &&
          opts[i + 1].kind == Token::Kind::kList) {
        auto items = statusItems(opts[++i]);
        if (!items) return;
        status_items = std::move(*items);
      } else if (opts[i].isAtom("SUBSCRIBED")) {
        want_subscribed = true;
      } else if (!opts[i].isAtom("SPECIAL-USE") && !opts[i].isAtom("CHILDREN")) {
        return bad("Unknown LIST return option");
      }
    }
  }
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
  struct Listed {
    Result<std::vector<core::ImapFolder>> folders = Error::internal("not run");
    std::map<std::string, core::ImapFolderStatus> status;  // by folder name (LIST-STATUS)
  };
  const bool with_status = !status_items.empty();
  blocking<Listed>(
      [this, mailbox_id, with_status, pattern] {
        Listed l;
        l.folders = backend_.folders(mailbox_id);
        if (!with_status || !l.folders.ok()) return l;
        for (const auto& f : *l.folders) {
          if (!matches(pattern, f.name)) continue;
          auto st = backend_.status(mailbox_id, f.name);
          if (st.ok()) l.status[f.name] = std::move(*st);
        }
        return l;
      },
      [this, lsub, pattern, want_subscribed, status_items](Listed& l) {
        auto& r = l.folders;
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
          if (want_subscribed && f.subscribed) attrs += " \\Subscribed";
          untagged(std::string(lsub ? "LSUB" : "LIST") + " (" + attrs + ") \"/\" " +
                   mailboxName(f.name));
          auto st = l.status.find(f.name);
          if (st != l.status.end()) untagged(statusLine(status_items, st->second));
        }
        tagged("OK", cmd_.name + " completed");
      });
}

void ImapSession::cmdStatus() {
  // RFC 9051 §6.3.11: STATUS mailbox (items)
  if (cmd_.args.size() != 2 || cmd_.args[1].kind != Token::Kind::kList)
    return bad("STATUS needs a mailbox and a list of items");
  auto name = mailboxArg(cmd_.args[0]);
  if (!name) return;
  auto parsed = statusItems(cmd_.args[1]);
  if (!parsed) return;
  std::vector<std::string> items = std::move(*parsed);
  std::string mailbox_id = account_->id;
  std::string folder = *name;
  blocking<Result<core::ImapFolderStatus>>(
      [this, mailbox_id, folder] { return backend_.status(mailbox_id, folder); },
      [this, items](Result<core::ImapFolderStatus>& r) {
        if (!r.ok()) return no(r.error());
        untagged(statusLine(items, *r));
        tagged("OK", "STATUS completed");
      });
}

}  // namespace mailjuke::imap

namespace mailjuke::imap {

std::optional<std::vector<std::string>> ImapSession::statusItems(const Token& list) {
  if (list.kind != Token::Kind::kList || list.items.empty()) {
    bad("Expected a list of STATUS items");
    return std::nullopt;
  }
  std::vector<std::string> items;
  for (const auto& t : list.items) {
    std::string u = t.text;
    for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (t.kind != Token::Kind::kAtom || (u != "MESSAGES" && u != "UIDNEXT" && u != "UIDVALIDITY" &&
                                         u != "UNSEEN" && u != "RECENT" && u != "HIGHESTMODSEQ")) {
      bad("Unknown STATUS item " + t.text);
      return std::nullopt;
    }
    if (u == "HIGHESTMODSEQ") condstore_ = true;  // RFC 7162 §3.1: enables CONDSTORE
    items.push_back(u);
  }
  return items;
}

std::string ImapSession::statusLine(const std::vector<std::string>& items,
                                    const core::ImapFolderStatus& st) const {
  std::string out = "STATUS " + mailboxName(st.folder.name) + " (";
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string& it = items[i];
    int64_t v = it == "MESSAGES"      ? st.messages
                : it == "UIDNEXT"     ? st.folder.uidnext
                : it == "UIDVALIDITY" ? st.folder.uidvalidity
                : it == "UNSEEN"      ? st.unseen
                : it == "RECENT"      ? 0  // not tracked across sessions (RFC 9051 drops it)
                                      : st.folder.highest_modseq;
    out += (i ? " " : "") + it + " " + std::to_string(v);
  }
  return out + ")";
}

}  // namespace mailjuke::imap
