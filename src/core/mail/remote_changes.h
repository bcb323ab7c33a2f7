// Changes made by other nodes that share the database (PostgreSQL): MailChanges is a
// per-process hub, so an IMAP client idling on node A would not hear of a message delivered or a
// flag stored through node B until its next NOOP. RemoteChanges closes that gap with a cheap
// poll: one query over the folders (UIDNEXT, HIGHESTMODSEQ) of the mailboxes that have
// subscribers on this node; a mailbox whose folders changed since the last poll is notified
// through the hub like a local change, and its sessions reload and send their untagged updates.
//
// Appends, flag changes and expunges all move a folder's UIDNEXT or HIGHESTMODSEQ; a folder
// created or deleted changes the set. A change made on this node is seen by the poll as well
// and wakes the mailbox's sessions a second time (their reload then finds nothing new). A
// mailbox is compared from the first poll that sees it watched on.
//
// Thread-safety: pollOnce() from one thread at a time (the job runner's tick).
#pragma once

#include <cstddef>
#include <map>
#include <string>

#include "base/result.h"
#include "core/context.h"
#include "core/mail/mail_changes.h"

namespace mailjuke::core {

class RemoteChanges {
 public:
  RemoteChanges(CoreContext& ctx, MailChanges& changes) : ctx_(ctx), changes_(changes) {}

  // One poll (blocking: one SQL read per 500 watched mailboxes, none when nothing is watched).
  // Returns how many mailboxes were notified.
  Result<size_t> pollOnce();

 private:
  CoreContext& ctx_;
  MailChanges& changes_;
  std::map<std::string, std::string> seen_;  // mailbox id → its folders' state at the last poll
};

}  // namespace mailjuke::core
