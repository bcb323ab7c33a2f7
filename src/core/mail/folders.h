// The folders every mailbox has (RFC 6154 special-use), created with the mailbox.
#pragma once

#include <string>

#include "base/result.h"
#include "store/sql/database.h"

namespace mailjuke::core {

// INBOX, Sent (\Sent), Drafts (\Drafts), Trash (\Trash), Junk (\Junk), Archive (\Archive).
// Idempotent. Called inside the transaction that creates the mailbox.
Status createDefaultFolders(store::Tx& tx, const std::string& mailbox_id, int64_t now);

}  // namespace mailjuke::core
