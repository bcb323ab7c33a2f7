// QUOTA (RFC 9208): one quota root "" per mailbox with the STORAGE resource (in units of 1024
// octets); GETQUOTAROOT, GETQUOTA; SETQUOTA is refused (limits come from the plan).
#include "proto/imap/writer.h"
#include "server/imap/imap_session.h"

namespace mailjuke::imap {

void ImapSession::cmdQuota() {
  const std::string& n = cmd_.name;
  if (n == "SETQUOTA") return tagged("NO", "[NOPERM] Quotas are set by the plan");
  if (cmd_.args.size() != 1) return bad(n + " needs one argument");
  std::optional<std::string> mailbox;
  if (n == "GETQUOTAROOT") {
    mailbox = mailboxArg(cmd_.args[0]);
    if (!mailbox) return;
  } else {
    auto root = cmd_.args[0].astring();
    if (!root) return bad("Expected a quota root");
    if (!root->empty()) return tagged("NO", "[NONEXISTENT] No such quota root");
  }
  std::string mailbox_id = account_->id;
  struct Out {
    Result<core::MailboxQuota> quota = Error::internal("not run");
    Status folder;
  };
  blocking<Out>(
      [this, mailbox_id, mailbox] {
        Out o;
        if (mailbox) {
          auto st = backend_.status(mailbox_id, *mailbox);
          if (!st.ok()) o.folder = st.error();
        }
        o.quota = backend_.quota(mailbox_id);
        return o;
      },
      [this, mailbox](Out& o) {
        if (!o.folder.ok()) return no(o.folder.error());
        if (mailbox) untagged("QUOTAROOT " + mailboxName(*mailbox) + (o.quota.ok() ? " \"\"" : ""));
        if (o.quota.ok()) {
          // RFC 9208 §5.1: usage and limit in units of 1024 octets (rounded up).
          untagged("QUOTA \"\" (STORAGE " + std::to_string((o.quota->used_bytes + 1023) / 1024) +
                   " " + std::to_string(o.quota->limit_bytes / 1024) + ")");
        }
        tagged("OK", cmd_.name + " completed");
      });
}

}  // namespace mailjuke::imap
