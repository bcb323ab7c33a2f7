// Mailboxes: create (with default folders), list, get (ready-to-paste SMTP/IMAP settings and
// today's counters), update, suspend, delete, password reset, credentials and sequencer CSV
// exports. Every call authorizes the principal against the permission table; another
// workspace's mailboxes and domains are "not found". Each change bumps mailbox_state.version,
// is audited in its transaction, and then refreshes the mail directory so SMTP/IMAP see it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/crypto.h"
#include "base/json.h"
#include "core/access/principal.h"
#include "core/context.h"
#include "core/mailboxes/mail_directory.h"
#include "core/pagination.h"

namespace mailjuke::core {

struct MailboxInput {
  std::string domain_id;
  std::string local_part;
  std::string first_name, last_name;
  std::optional<std::string> password;  // generated when absent
  std::optional<int64_t> daily_limit;   // settings.mail.default_daily_limit when absent
  std::optional<std::string> signature;
  std::optional<std::string> forward_to;
};

struct MailboxFilter {
  std::optional<std::string> domain_id;
  std::optional<std::string> status;  // active | suspended
  std::optional<std::string> q;       // case-insensitive substring of the address or the name
};

// A mailbox ready to insert: validated, password hashed and sealed (the slow part, done outside
// the transaction).
struct PreparedMailbox {
  std::string id;
  std::string workspace_id, domain_id, local_part, first_name, last_name;
  std::string password, password_hash, password_sealed;
  int64_t daily_limit = 0;
  std::optional<std::string> signature, forward_to;
};

Status bumpMailboxVersion(store::Tx& tx);
std::string displayName(const std::string& first, const std::string& last);

inline constexpr int64_t kMaxDailyLimit = 10000;
inline constexpr size_t kMaxSignature = 10000;

class MailboxService {
 public:
  // `directory` may be null (CLI, tests); otherwise refreshed after every change.
  MailboxService(CoreContext& ctx, MailDirectory* directory) : ctx_(ctx), directory_(directory) {}

  // 201 body: the mailbox plus "password" (shown once).
  Result<Json> create(const Principal& p, const std::string& ws, const MailboxInput& in);
  Result<Page> list(const Principal& p, const std::string& ws, const MailboxFilter& filter,
                    const PageRequest& page);
  Result<Json> get(const Principal& p, const std::string& ws, const std::string& mbx);
  // Fields: first_name, last_name, daily_limit, signature (null clears), forward_to (null
  // clears), status (active | suspended). Types are checked by the transport.
  Result<Json> update(const Principal& p, const std::string& ws, const std::string& mbx,
                      const Json& patch);
  Status remove(const Principal& p, const std::string& ws, const std::string& mbx);
  // A new generated password, returned once; the old one stops working at once.
  Result<Json> resetPassword(const Principal& p, const std::string& ws, const std::string& mbx);
  // The plaintext password and login settings (credentials.read, audited).
  Result<Json> credentials(const Principal& p, const std::string& ws, const std::string& mbx);
  // CSV in a sequencer's import format (export + credentials.read, audited). `format` and
  // `columns` as parseCsvFormat() takes them.
  Result<std::string> exportCsv(const Principal& p, const std::string& ws,
                                const std::string& format, const std::string& columns,
                                const std::optional<std::string>& domain_id);

  // Sent, bounced and received messages per UTC day for the last `days` days (1..366), oldest
  // first, days without traffic as zeros: {days, data: [{date, sent, bounced, received}]}.
  // One mailbox, or every mailbox of the workspace summed when `mbx` is empty.
  Result<Json> dailyStats(const Principal& p, const std::string& ws, const std::string& mbx,
                          int days);

  // Validates everything but uniqueness and the domain, and does the Argon2id hash. Thread-safe.
  Result<PreparedMailbox> prepare(const std::string& ws, const MailboxInput& in) const;
  // Inserts a prepared mailbox, its folders and the version bump inside `tx`; 409 when the
  // address is taken. Does not authorize or audit.
  Status insert(store::Tx& tx, const PreparedMailbox& m, int64_t now);
  // Checks that `dom` is a domain of `ws` (404) that is active (409); returns its A-label.
  static Result<std::string> requireActiveDomain(store::Tx& tx, const std::string& ws,
                                                 const std::string& dom);
  void refreshDirectory();

 private:
  Json mailboxJson(const store::Row& r) const;
  Json settingsJson(const std::string& address) const;
  Result<store::Row> loadMailbox(store::Tx& tx, const std::string& ws, const std::string& mbx);
  std::string today() const;
  // Full OWASP cost for customer-chosen passwords, the light one for generated ones (context.h).
  crypto::PasswordCost passwordCost(bool chosen) const;

  CoreContext& ctx_;
  MailDirectory* directory_;
};

}  // namespace mailjuke::core
