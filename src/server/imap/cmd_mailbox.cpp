// CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE (RFC 9051 §6.3.4–§6.3.8) and APPEND (§6.3.12).
#include "proto/imap/writer.h"
#include "server/imap/imap_session.h"

namespace mailjuke::imap {

void ImapSession::cmdMailbox() {
  const std::string& n = cmd_.name;
  const size_t want = n == "RENAME" ? 2 : 1;
  if (cmd_.args.size() != want)
    return bad(n + " needs " + (want == 2 ? "two mailbox names" : "a mailbox name"));
  auto name = mailboxArg(cmd_.args[0]);
  if (!name) return;
  std::string to;
  if (want == 2) {
    auto t = mailboxArg(cmd_.args[1]);
    if (!t) return;
    to = *t;
  }
  std::string mailbox_id = account_->id;
  std::string from = *name;
  // RFC 9051 §6.3.4: a trailing delimiter in CREATE only says the name will have children.
  if (n == "CREATE" && from.size() > 1 && from.back() == '/') from.pop_back();
  blocking<Status>(
      [this, n, mailbox_id, from, to]() -> Status {
        if (n == "CREATE") return backend_.createFolder(mailbox_id, from);
        if (n == "DELETE") return backend_.deleteFolder(mailbox_id, from);
        if (n == "RENAME") return backend_.renameFolder(mailbox_id, from, to);
        return backend_.setSubscribed(mailbox_id, from, n == "SUBSCRIBE");
      },
      [this, n](Status& st) {
        if (!st.ok()) return no(st.error());
        tagged("OK", n + " completed");
      });
}

void ImapSession::cmdAppend() {
  // APPEND mailbox [(flags)] [date-time] literal
  if (cmd_.args.size() < 2 || cmd_.args.size() > 4)
    return bad("APPEND needs a mailbox and a message");
  auto name = mailboxArg(cmd_.args[0]);
  if (!name) return;
  std::vector<std::string> flags;
  int64_t date = 0;
  for (size_t i = 1; i + 1 < cmd_.args.size(); ++i) {
    const Token& t = cmd_.args[i];
    if (t.kind == Token::Kind::kList) {
      auto f = parseFlagList(t);
      if (!f.ok()) return bad(f.error().message);
      flags = std::move(*f);
    } else if (t.kind == Token::Kind::kString) {
      auto d = parseDateTime(t.text);
      if (!d.ok()) return bad("Bad date-time");
      date = *d;
    } else {
      return bad("Bad APPEND argument");
    }
  }
  const Token& msg = cmd_.args.back();
  if (msg.kind != Token::Kind::kString || msg.text.empty())
    return bad("APPEND needs a message literal");
  std::string mailbox_id = account_->id;
  std::string folder = *name;
  std::string content = msg.text;
  blocking<Result<core::AppendResult>>(
      [this, mailbox_id, folder, content, flags, date] {
        core::MailChanges::Scope everyone(nullptr);  // a selected destination reports EXISTS
        return backend_.append(mailbox_id, folder, content, flags, date);
      },
      [this](Result<core::AppendResult>& r) {
        if (!r.ok()) {
          // RFC 9051 §6.3.12: a missing folder answers [TRYCREATE].
          if (r.error().code == ErrorCode::kNotFound)
            return tagged("NO", "[TRYCREATE] No such mailbox");
          return no(r.error());
        }
        // RFC 4315 §3: APPENDUID uidvalidity uid.
        tagged("OK", "[APPENDUID " + std::to_string(r->uidvalidity) + " " + std::to_string(r->uid) +
                         "] APPEND completed");
      });
}

}  // namespace mailjuke::imap
