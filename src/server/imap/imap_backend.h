// What an IMAP session asks of the rest of MailJuke. The composition root adapts
// core::MailDirectory and core::ImapStore to it; tests use fakes.
//
// Every method blocks (Argon2id, SQL, blob reads): the session calls them from runBlocking(),
// which the driver runs on the worker pool.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "core/mail/imap_store.h"
#include "core/mail/mail_changes.h"
#include "core/mailboxes/mail_directory.h"

namespace mailjuke::imap {

class ImapBackend {
 public:
  virtual ~ImapBackend() = default;
  virtual std::pair<core::MailAuthResult, std::shared_ptr<const core::MailAccount>> authenticate(
      std::string_view username, std::string_view password) = 0;
  virtual Result<std::vector<core::ImapFolder>> folders(const std::string& mailbox_id) = 0;
  virtual Result<core::ImapFolderStatus> status(const std::string& mailbox_id,
                                                const std::string& name) = 0;
  virtual Result<std::vector<core::ImapMessage>> messages(const std::string& folder_id) = 0;
  // See core::ImapStore::highestModseq: a reload is skipped while it is unchanged.
  virtual Result<int64_t> highestModseq(const std::string& folder_id) = 0;
  virtual Result<core::FlagUpdateResult> storeFlags(const std::string& folder_id,
                                                    const std::vector<int64_t>& uids,
                                                    const core::FlagUpdate& update) = 0;
  virtual Result<std::vector<int64_t>> expunge(
      const std::string& folder_id, const std::optional<std::vector<int64_t>>& only_uids) = 0;
  // RFC 3501 §2.3.2: see core::ImapStore::claimRecent.
  virtual Result<int64_t> claimRecent(const std::string& folder_id, int64_t upto) = 0;
  virtual Result<std::string> content(const std::string& blob_id) = 0;
  // Only the header block (core::headerBlock); cached in memory by the store.
  virtual Result<std::string> header(const std::string& blob_id) = 0;
  // The MIME structure cached at delivery for these UIDs (core::ImapStore::structures).
  virtual Result<std::vector<core::CachedStructure>> structures(const std::string& folder_id,
                                                                const std::vector<int64_t>& uids,
                                                                bool envelope, bool parts) = 0;
  // RFC 9051 §6.3.4–§6.3.8 and §6.3.12 (see core::ImapStore for the error contracts).
  virtual Status createFolder(const std::string& mailbox_id, const std::string& name) = 0;
  virtual Status deleteFolder(const std::string& mailbox_id, const std::string& name) = 0;
  virtual Status renameFolder(const std::string& mailbox_id, const std::string& from,
                              const std::string& to) = 0;
  virtual Status setSubscribed(const std::string& mailbox_id, const std::string& name,
                               bool subscribed) = 0;
  virtual Result<core::CopyResult> copy(const std::string& mailbox_id, const std::string& folder_id,
                                        const std::vector<int64_t>& uids, const std::string& dest,
                                        bool move) = 0;
  // Calls `on_change` (any thread, quickly) after each committed change of the mailbox not made
  // under a MailChanges::Scope of `origin`; until the handle is destroyed. nullptr: no watching.
  virtual std::unique_ptr<core::MailChanges::Subscription> watch(const std::string& mailbox_id,
                                                                 const void* origin,
                                                                 std::function<void()> on_change) {
    (void)mailbox_id, (void)origin, (void)on_change;
    return nullptr;
  }
  // RFC 9208: the storage used by the mailbox and its limit, in bytes.
  virtual Result<core::MailboxQuota> quota(const std::string& mailbox_id) {
    (void)mailbox_id;
    return Error::make(ErrorCode::kNotFound, "no quota");
  }
  virtual Result<core::AppendResult> append(const std::string& mailbox_id,
                                            const std::string& folder, const std::string& content,
                                            const std::vector<std::string>& flags,
                                            int64_t internal_date) = 0;
};

}  // namespace mailjuke::imap
