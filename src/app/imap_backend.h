// The IMAP server's backend in production: credentials from core::MailDirectory (cached, so a
// known password costs no Argon2id), folders and messages from core::ImapStore.
#pragma once

#include <functional>

#include "core/mail/imap_store.h"
#include "core/mailboxes/mail_directory.h"
#include "server/imap/imap_backend.h"

namespace mailjuke::app {

class ImapStoreBackend final : public imap::ImapBackend {
 public:
  // `quota_limit` gives a mailbox's storage limit in bytes (RFC 9208).
  using QuotaLimit = std::function<int64_t(const std::string& mailbox_id)>;
  ImapStoreBackend(core::MailDirectory& directory, core::ImapStore& store, QuotaLimit quota_limit)
      : directory_(directory), store_(store), quota_limit_(std::move(quota_limit)) {}

  std::pair<core::MailAuthResult, std::shared_ptr<const core::MailAccount>> authenticate(
      std::string_view username, std::string_view password) override {
    return directory_.authenticate(username, password);
  }
  Result<std::vector<core::ImapFolder>> folders(const std::string& mailbox_id) override {
    return store_.folders(mailbox_id);
  }
  Result<core::ImapFolderStatus> status(const std::string& mailbox_id,
                                        const std::string& name) override {
    return store_.status(mailbox_id, name);
  }
  Result<std::vector<core::ImapMessage>> messages(const std::string& folder_id) override {
    return store_.messages(folder_id);
  }
  Result<int64_t> highestModseq(const std::string& folder_id) override {
    return store_.highestModseq(folder_id);
  }
  Result<core::FlagUpdateResult> storeFlags(const std::string& folder_id,
                                            const std::vector<int64_t>& uids,
                                            const core::FlagUpdate& update) override {
    return store_.storeFlags(folder_id, uids, update);
  }
  Result<std::vector<int64_t>> expunge(const std::string& folder_id,
                                       const std::optional<std::vector<int64_t>>& only) override {
    return store_.expunge(folder_id, only);
  }
  Result<int64_t> claimRecent(const std::string& folder_id, int64_t upto) override {
    return store_.claimRecent(folder_id, upto);
  }
  Result<std::string> content(const std::string& blob_id) override {
    return store_.content(blob_id);
  }
  Result<std::string> header(const std::string& blob_id) override { return store_.header(blob_id); }
  Result<std::vector<core::CachedStructure>> structures(const std::string& folder_id,
                                                        const std::vector<int64_t>& uids,
                                                        bool envelope, bool parts) override {
    return store_.structures(folder_id, uids, envelope, parts);
  }

  Status createFolder(const std::string& mailbox_id, const std::string& name) override {
    return store_.createFolder(mailbox_id, name);
  }
  Status deleteFolder(const std::string& mailbox_id, const std::string& name) override {
    return store_.deleteFolder(mailbox_id, name);
  }
  Status renameFolder(const std::string& mailbox_id, const std::string& from,
                      const std::string& to) override {
    return store_.renameFolder(mailbox_id, from, to);
  }
  Status setSubscribed(const std::string& mailbox_id, const std::string& name,
                       bool subscribed) override {
    return store_.setSubscribed(mailbox_id, name, subscribed);
  }
  Result<core::CopyResult> copy(const std::string& mailbox_id, const std::string& folder_id,
                                const std::vector<int64_t>& uids, const std::string& dest,
                                bool move) override {
    return store_.copy(mailbox_id, folder_id, uids, dest, move);
  }
  Result<core::AppendResult> append(const std::string& mailbox_id, const std::string& folder,
                                    const std::string& content,
                                    const std::vector<std::string>& flags,
                                    int64_t internal_date) override {
    // RFC 9208 §4.3: an APPEND that would exceed the limit fails with [OVERQUOTA].
    MJ_TRY_ASSIGN(auto q, quota(mailbox_id));
    if (q.used_bytes + int64_t(content.size()) > q.limit_bytes)
      return Error::make(ErrorCode::kPaymentRequired, "Mailbox is over its storage quota");
    return store_.append(mailbox_id, folder, content, flags, internal_date);
  }
  std::unique_ptr<core::MailChanges::Subscription> watch(const std::string& mailbox_id,
                                                         const void* origin,
                                                         std::function<void()> on_change) override {
    return store_.changes().subscribe(mailbox_id, origin, std::move(on_change));
  }
  Result<core::MailboxQuota> quota(const std::string& mailbox_id) override {
    MJ_TRY_ASSIGN(int64_t used, store_.usedBytes(mailbox_id));
    return core::MailboxQuota{used, quota_limit_(mailbox_id)};
  }

 private:
  core::MailDirectory& directory_;
  core::ImapStore& store_;
  QuotaLimit quota_limit_;
};

}  // namespace mailjuke::app
