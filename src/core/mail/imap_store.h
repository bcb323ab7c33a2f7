// What the IMAP server needs from the mail store (RFC 9051): folders with their UID state,
// the message list of a folder, flag changes with CONDSTORE modseqs (RFC 7162 §3.1), expunge,
// folder management and APPEND. Folder names are UTF-8 with '/' as hierarchy delimiter; "INBOX"
// matches case-insensitively (RFC 9051 §5.1).
//
// Thread-safety: safe from any thread; every call blocks on SQL (and append on fsync) — worker
// pool only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/context.h"
#include "core/mail/header_cache.h"
#include "core/mail/mail_store.h"

namespace mailjuke::core {

struct ImapFolder {
  std::string id;
  std::string name;
  std::optional<std::string> special_use;  // "\\Sent", … (RFC 6154)
  bool subscribed = true;
  int64_t uidvalidity = 0;
  int64_t uidnext = 1;
  int64_t highest_modseq = 1;
};

struct ImapFolderStatus {
  ImapFolder folder;
  int64_t messages = 0;
  int64_t unseen = 0;  // messages without \Seen
};

struct ImapMessage {
  int64_t uid = 0;
  std::vector<std::string> flags;  // system flags in canonical case ("\\Seen"), then keywords
  int64_t size = 0;
  int64_t internal_date = 0;  // unix seconds
  std::string blob_id;
  int64_t modseq = 0;
};

enum class FlagMode { kReplace, kAdd, kRemove };  // STORE FLAGS / +FLAGS / -FLAGS

struct FlagUpdate {
  FlagMode mode = FlagMode::kAdd;
  std::vector<std::string> flags;
  std::optional<int64_t> unchanged_since;  // RFC 7162 §3.1.3 UNCHANGEDSINCE
};

struct FlagUpdateResult {
  std::vector<ImapMessage> changed;  // messages whose flags changed, with their new state
  std::vector<int64_t> failed_uids;  // UNCHANGEDSINCE failures (MODIFIED response code)
};

// The MIME structure cached at delivery (mail_messages.envelope / .bodystructure, the JSON of
// proto/mime/structure_json.h). Either is nullopt for messages stored before the cache existed.
struct CachedStructure {
  int64_t uid = 0;
  std::optional<std::string> envelope, bodystructure;
};

struct CopyResult {
  int64_t uidvalidity = 0;      // of the destination (RFC 4315 COPYUID)
  std::vector<int64_t> source;  // UIDs copied, ascending
  std::vector<int64_t> dest;    // their new UIDs, in the same order
};

struct MailboxQuota {  // RFC 9208 STORAGE
  int64_t used_bytes = 0;
  int64_t limit_bytes = 0;
};

struct AppendResult {
  int64_t uidvalidity = 0;
  int64_t uid = 0;
};

// "\\seen" → "\\Seen" for the RFC 9051 §2.3.2 system flags; keywords are kept as given.
std::string canonicalFlag(const std::string& flag);
// Space separated text as stored in mail_messages.flags ↔ a list, deduplicated
// case-insensitively.
std::vector<std::string> splitFlags(const std::string& text);
std::string joinFlagList(const std::vector<std::string>& flags);
bool hasFlag(const std::vector<std::string>& flags, const std::string& flag);

class ImapStore {
 public:
  ImapStore(CoreContext& ctx, MailStore& mail) : ctx_(ctx), mail_(mail) {}

  // Every folder of a mailbox, INBOX first, then by name.
  Result<std::vector<ImapFolder>> folders(const std::string& mailbox_id);
  // kNotFound when the mailbox has no such folder.
  Result<ImapFolder> folder(const std::string& mailbox_id, const std::string& name);
  Result<ImapFolderStatus> status(const std::string& mailbox_id, const std::string& name);
  // The messages of a folder in UID order.
  Result<std::vector<ImapMessage>> messages(const std::string& folder_id);
  // The folder's HIGHESTMODSEQ (RFC 7162): every APPEND, flag change and expunge raises it, so
  // a session whose snapshot was taken at this value has nothing to reload. kNotFound when the
  // folder is gone.
  Result<int64_t> highestModseq(const std::string& folder_id);
  // The cached structures of the messages with these UIDs, in UID order (missing UIDs are
  // skipped); `parts` = false leaves bodystructure unread. FETCH ENVELOPE/BODYSTRUCTURE/BODY
  // read these instead of the blob.
  Result<std::vector<CachedStructure>> structures(const std::string& folder_id,
                                                  const std::vector<int64_t>& uids,
                                                  bool envelope = true, bool parts = true);

  // RFC 3501 §2.3.2 \Recent: the first UID not yet claimed by a session, before this call;
  // then, atomically, the folder's messages below `upto` are claimed (no change when `upto` is
  // not larger: EXAMINE passes 0). The caller's recent messages are [returned value, upto).
  Result<int64_t> claimRecent(const std::string& folder_id, int64_t upto);

  // Applies `update` to the messages whose UID is in `uids`; the changed ones get one new modseq
  // (the folder's highest_modseq + 1). Flags "\\Recent" are ignored (RFC 9051 §2.3.2).
  Result<FlagUpdateResult> storeFlags(const std::string& folder_id,
                                      const std::vector<int64_t>& uids, const FlagUpdate& update);
  // Removes the messages flagged \Deleted (only those in `only_uids` when given: UID EXPUNGE,
  // RFC 4315 §2.1); returns their UIDs in ascending order. Blobs go with garbage collection.
  Result<std::vector<int64_t>> expunge(const std::string& folder_id,
                                       const std::optional<std::vector<int64_t>>& only_uids = {});

  // COPY / MOVE (RFC 9051 §6.4.7, RFC 6851): the messages with these UIDs get new UIDs in the
  // mailbox's folder `dest` (same blob, flags and internal date); with `move` they leave the
  // source in the same transaction. kNotFound when `dest` does not exist.
  Result<CopyResult> copy(const std::string& mailbox_id, const std::string& folder_id,
                          const std::vector<int64_t>& uids, const std::string& dest, bool move);

  // RFC 9051 §6.3.4: kConflict when it exists. UIDVALIDITY is larger than any the mailbox used.
  Status createFolder(const std::string& mailbox_id, const std::string& name);
  // RFC 9051 §6.3.5: INBOX cannot be deleted; the folder's messages go with it. Sub-folders stay.
  Status deleteFolder(const std::string& mailbox_id, const std::string& name);
  // RFC 9051 §6.3.6: renames the folder and its sub-folders ("a" → "b" moves "a/x" to "b/x").
  // Renaming INBOX moves its messages to a new folder `to` and leaves INBOX empty; its
  // sub-folders stay (RFC 3501 §6.3.5).
  Status renameFolder(const std::string& mailbox_id, const std::string& from,
                      const std::string& to);
  Status setSubscribed(const std::string& mailbox_id, const std::string& name, bool subscribed);

  // APPEND (RFC 9051 §6.3.12): stores `content` in the folder with flags and internal date
  // (0 = now), durably, through MailStore::accept; returns the new UID (RFC 4315 APPENDUID).
  Result<AppendResult> append(const std::string& mailbox_id, const std::string& folder,
                              const std::string& content, const std::vector<std::string>& flags,
                              int64_t internal_date);

  // Bytes used by the messages of every folder of the mailbox (RFC 9208 STORAGE usage).
  Result<int64_t> usedBytes(const std::string& mailbox_id);

  // Change notifications of every mailbox (IDLE); MailStore's hub.
  MailChanges& changes() { return mail_.changes(); }

  // The message bytes (CRLF line ends) as stored.
  Result<std::string> content(const std::string& blob_id) { return mail_.blobs().get(blob_id); }
  // Its header block (headerBlock), from memory after the first read: SEARCH on header keys.
  Result<std::string> header(const std::string& blob_id);

 private:
  Status renameInbox(const std::string& mailbox_id, const std::string& to);
  CoreContext& ctx_;
  MailStore& mail_;
  HeaderCache headers_;
};

}  // namespace mailjuke::core
