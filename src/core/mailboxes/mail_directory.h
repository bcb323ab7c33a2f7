// The mail servers' view of every hosted mailbox: an immutable in-memory snapshot, rebuilt when
// mailboxes or DKIM keys change, so SMTP and IMAP never query SQL per command (DESIGN.md §3).
//
// Thread-safety: every method is safe to call from any thread. refresh() and authenticate()
// may block (SQL, Argon2id): call them on the worker pool, never on a network thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/result.h"
#include "core/context.h"

namespace mailjuke::core {

struct MailAccount {
  std::string id;
  std::string workspace_id;
  std::string domain_id;
  std::string local_part;            // lower-case
  std::string domain;                // A-label, lower-case
  std::string display_name;          // "First Last", may be empty
  std::string password_hash;         // Argon2id (crypto_pwhash_str)
  bool suspended = false;            // the mailbox is suspended
  bool workspace_suspended = false;  // the workspace may not send (suspended or canceled)
  int64_t daily_limit = 0;           // messages per UTC day; 0 = no limit
  std::optional<std::string> forward_to;
  std::string address() const { return local_part + "@" + domain; }
};

// The domain's active DKIM key, unsealed (RFC 6376 signing on submission).
struct DkimSigningKey {
  std::string domain;  // A-label
  std::string selector;
  std::string private_pem;
};

enum class MailAuthResult { kOk, kBadCredentials, kSuspended };

class MailDirectory {
 public:
  explicit MailDirectory(CoreContext& ctx);
  ~MailDirectory();

  // Rebuilds the snapshot when mailbox_state.version or zone_state.version moved since the last
  // build; a cheap version read otherwise. Called after every mailbox change by the service and
  // periodically by the job tick (other nodes sharing PostgreSQL).
  Status refresh();

  // Case-insensitive lookup of "local@domain" (the domain may be a U-label or A-label).
  std::shared_ptr<const MailAccount> find(std::string_view address) const;
  std::shared_ptr<const MailAccount> findById(std::string_view mailbox_id) const;
  // True when the domain (any case) is a hosted domain, whatever its mailboxes.
  bool hostsDomain(std::string_view domain) const;
  std::optional<DkimSigningKey> signingKey(std::string_view domain) const;

  // SMTP AUTH / IMAP LOGIN: `username` is the full address. Verifies the Argon2id hash once;
  // afterwards a keyed digest of (mailbox, password hash, password) is cached so repeated
  // logins cost microseconds. A password change invalidates the cache entry.
  std::pair<MailAuthResult, std::shared_ptr<const MailAccount>> authenticate(
      std::string_view username, std::string_view password);

 private:
  struct State;
  CoreContext& ctx_;
  std::unique_ptr<State> state_;
};

}  // namespace mailjuke::core
