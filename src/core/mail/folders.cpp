#include "core/mail/folders.h"

#include "base/ids.h"

namespace mailjuke::core {

Status createDefaultFolders(store::Tx& tx, const std::string& mailbox_id, int64_t now) {
  // RFC 6154 §2 special-use attributes. UIDVALIDITY (RFC 3501 §2.3.1.1) is the creation time:
  // a folder deleted and created again later gets a larger value, so clients resynchronise.
  static const std::pair<const char*, const char*> kFolders[] = {
      {"INBOX", nullptr},   {"Sent", "\\Sent"}, {"Drafts", "\\Drafts"},
      {"Trash", "\\Trash"}, {"Junk", "\\Junk"}, {"Archive", "\\Archive"}};
  const char* conflict =
      tx.dialect() == store::Dialect::kPostgres ? " ON CONFLICT (mailbox_id, name) DO NOTHING" : "";
  std::string verb = tx.dialect() == store::Dialect::kPostgres ? "INSERT" : "INSERT OR IGNORE";
  for (const auto& [name, special] : kFolders) {
    MJ_TRY(
        tx.exec(verb +
                    " INTO mail_folders (id, mailbox_id, name, special_use, uidvalidity, "
                    "uidnext, highest_modseq, created_at) VALUES (?,?,?,?,?,1,1,?)" +
                    conflict,
                {newId("fld"), mailbox_id, std::string(name),
                 special ? store::Value(std::string(special)) : store::Value(nullptr), now, now}));
  }
  return {};
}

}  // namespace mailjuke::core
