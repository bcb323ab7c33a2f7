// The mail content of a workspace export (workspace_export.h): one mbox file per mailbox and
// folder (mboxrd: "From " lines in a message are quoted with '>', lines end in LF), written to
// disk message by message and line by line from the blob files — never a whole mailbox in
// memory — then added to the ZIP from those files.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "core/context.h"

namespace mailjuke::core::privacy {

struct MailboxFile {
  std::string file;     // the name in the ZIP: mail/<address>/<folder>.mbox
  std::string path;     // the temporary file on disk
  std::string mailbox;  // address
  std::string folder;   // IMAP name
  int64_t messages = 0;
  int64_t bytes = 0;  // of the mbox file
};

// Appends one message to an mbox stream: the From_ line, the content with CRLF made LF and
// mboxrd quoting, and the blank line that ends it. Returns the bytes written.
int64_t appendMboxMessage(std::ostream& out, std::istream& content, int64_t internal_date);

// Writes every folder of every mailbox of the workspace under `tmp_dir` (created).
Result<std::vector<MailboxFile>> writeWorkspaceMail(CoreContext& ctx, const std::string& blob_dir,
                                                    const std::string& workspace_id,
                                                    const std::string& tmp_dir);

}  // namespace mailjuke::core::privacy
