#include "core/privacy/subject_links.h"

#include <array>

namespace mailjuke::core::privacy {

const std::vector<SubjectLink>& subjectLinks() {
  static const std::vector<SubjectLink> links = {
      {"users", "id", LinkBy::kUserId, "", {}},
      {"sessions", "user_id", LinkBy::kUserId, "", {}},
      {"user_tokens", "user_id", LinkBy::kUserId, "", {}},
      {"recovery_codes", "user_id", LinkBy::kUserId, "", {}},
      {"login_failures", "subject", LinkBy::kEmail, "acct:", {}},
      {"memberships", "user_id", LinkBy::kUserId, "", {}},
      {"invitations", "email", LinkBy::kEmail, "", {"email"}},
      {"invitations", "invited_by", LinkBy::kUserId, "", {"invited_by"}},
      {"api_keys", "created_by", LinkBy::kUserId, "", {"created_by"}},
      {"workspaces", "dpa_accepted_by", LinkBy::kUserId, "", {"dpa_accepted_by"}},
      {"audit_events", "actor_id", LinkBy::kUserId, "", {"actor_id", "ip", "user_agent", "data"}},
      {"idempotency_keys", "principal", LinkBy::kUserId, "", {}},
      {"outbox", "user_id", LinkBy::kUserId, "", {}},
      {"outbox", "to_address", LinkBy::kEmail, "", {}},
      {"consent_events", "user_id", LinkBy::kUserId, "", {}},
      {"privacy_requests", "user_id", LinkBy::kUserId, "", {}},
      {"processing_flags", "user_id", LinkBy::kUserId, "", {}},
      {"workspace_deletions", "requested_by", LinkBy::kUserId, "", {"requested_by"}},
      {"billing_details", "email", LinkBy::kEmail, "", {"email"}},
      {"workspace_suspensions", "operator_id", LinkBy::kUserId, "", {"operator_id"}},
      {"breaches", "created_by", LinkBy::kUserId, "", {"created_by"}},
      {"breach_events", "actor", LinkBy::kUserId, "", {"actor"}},
      {"marketing_sends", "created_by", LinkBy::kUserId, "", {"created_by"}},
      {"dpa_acceptances", "accepted_by", LinkBy::kUserId, "", {"accepted_by"}},
      {"workspace_exports", "requested_by", LinkBy::kUserId, "", {"requested_by"}},
  };
  return links;
}

const std::vector<Unlinked>& unlinkedTables() {
  static const std::vector<Unlinked> tables = {
      {"jobs", "workspace content (processor): exported and erased with the workspace"},
      {"mailboxes", "workspace content (processor): the organisation's mailboxes"},
      {"mail_folders", "workspace content (processor)"},
      {"mail_messages", "workspace content (processor): mail stays with the organisation (§2)"},
      {"mail_queue", "workspace content (processor), gone once delivered"},
      {"ledger_accounts", "the workspace's books, kept restricted for the legal period"},
      {"ledger_transactions", "the workspace's books, kept restricted for the legal period"},
      {"ledger_entries", "the workspace's books, kept restricted for the legal period"},
      {"subscriptions", "the workspace's contract, kept restricted for the legal period"},
      {"invoices", "the workspace's books (immutable once final), kept for the legal period"},
      {"invoice_lines", "the workspace's books (immutable once final), kept for the legal period"},
      {"payments", "the workspace's books, kept restricted for the legal period"},
      {"fraud_reviews", "the workspace's payments; decided_by names an operator, not a customer"},
      {"stripe_events", "the payment provider's event log, no personal data"},
      {"credit_notes", "the workspace's books (immutable once issued), kept for the legal period"},
      {"credit_note_lines",
       "the workspace's books (immutable once issued), kept for the legal period"},
      {"wallet_auto_top_ups", "the workspace's payment settings; the card token names nobody"},
      {"billing_customers",
       "the workspace's customer at the payment provider and its saved card (names nobody)"},
      {"refunds",
       "the workspace's books (with its payments), kept restricted for the legal period"},
      {"privacy_request_events", "read through the person's privacy requests"},
      {"suppression_list", "an HMAC of an address: identifies nobody without the address"},
      {"analytics_events",
       "an HMAC of the user id, never the id: erasure deletes the person's rows by that HMAC"},
  };
  return tables;
}

bool isSecretColumn(std::string_view column) {
  static constexpr std::array<std::string_view, 11> kSecrets = {
      "password_hash", "password_sealed", "token_hash",    "csrf_token",
      "code_hash",     "key_hash",        "totp_secret",   "export_path",
      "request_hash",  "response_body",   "totp_last_step"};
  for (auto s : kSecrets)
    if (s == column) return true;
  return false;
}

}  // namespace mailjuke::core::privacy
