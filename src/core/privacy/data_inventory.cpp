#include "core/privacy/data_inventory.h"

namespace mailjuke::core::privacy {
namespace {

using C = Category;
using E = Erase;
using B = LegalBasis;

constexpr ColumnUse np(std::string_view column) { return {column, C::kNotPersonal, E::kNone}; }

std::vector<TableUse> build() {
  const Role ctl = Role::kController, proc = Role::kProcessor;
  return {
      // Accounts and sign-in (policy §3 "from you directly", §4 "run the product").
      {"users",
       "account holder",
       ctl,
       "accounts, sign-in, notices",
       B::kContract,
       "while the account exists; erased on request (Art. 17)",
       {np("id"),
        {"email", C::kAccount, E::kPseudonymise},
        {"name", C::kAccount, E::kNull},
        {"company", C::kAccount, E::kNull},
        {"password_hash", C::kSecurity, E::kNull},
        np("status"),
        np("is_operator"),
        {"email_verified_at", C::kAccount, E::kNull},
        {"pending_email", C::kAccount, E::kNull},
        {"terms_accepted_at", C::kAccount, E::kRetainRestricted},
        {"business_use_confirmed_at", C::kAccount, E::kRetainRestricted},
        {"totp_secret", C::kSecurity, E::kNull},
        np("totp_enabled"),
        np("totp_last_step"),
        {"password_changed_at", C::kSecurity, E::kNull},
        np("created_at"),
        np("updated_at")}},
      {"sessions",
       "account holder",
       ctl,
       "keeping people signed in; showing their devices",
       B::kContract,
       "until logout, revocation or expiry (12 h absolute)",
       {np("id"),
        np("user_id"),
        np("token_hash"),
        np("csrf_token"),
        {"ip", C::kDevice, E::kDelete},
        {"user_agent", C::kDevice, E::kDelete},
        {"device", C::kDevice, E::kDelete},
        {"browser", C::kDevice, E::kDelete},
        np("created_at"),
        {"last_seen_at", C::kUsage, E::kDelete},
        np("expires_at"),
        np("revoked_at")}},
      {"user_tokens",
       "account holder",
       ctl,
       "e-mail verification, password reset, e-mail change",
       B::kContract,
       "until used or expired",
       {np("id"),
        np("user_id"),
        np("purpose"),
        np("token_hash"),
        {"data", C::kAccount, E::kDelete},
        np("expires_at"),
        np("used_at"),
        np("created_at")}},
      {"recovery_codes",
       "account holder",
       ctl,
       "two-factor recovery",
       B::kContract,
       "while two-factor authentication is on",
       {np("id"), np("user_id"), {"code_hash", C::kSecurity, E::kDelete}, np("used_at")}},
      {"login_failures",
       "anyone who tries to sign in",
       ctl,
       "throttling password guessing",
       B::kLegitimateInterests,
       "the throttling window (15 min)",
       {np("id"), {"subject", C::kSecurity, E::kDelete}, np("at")}},
      // Workspaces and access.
      {"workspaces",
       "the person who accepted the data processing agreement",
       ctl,
       "running the customer's workspace",
       B::kContract,
       "while the workspace exists",
       {np("id"),
        np("name"),
        np("status"),
        np("data_region"),
        np("dpa_version"),
        np("dpa_accepted_at"),
        {"dpa_accepted_by", C::kAccount, E::kPseudonymise},
        np("settings"),
        np("created_at"),
        np("updated_at")}},
      {"memberships",
       "workspace member",
       ctl,
       "roles and access",
       B::kContract,
       "while the person is a member",
       {np("id"),
        np("workspace_id"),
        {"user_id", C::kAccount, E::kDelete},
        np("role"),
        np("created_at")}},
      {"invitations",
       "invited person",
       ctl,
       "inviting people into a workspace",
       B::kLegitimateInterests,
       "until accepted, revoked or expired (7 days)",
       {np("id"),
        np("workspace_id"),
        {"email", C::kContact, E::kDelete},
        np("role"),
        np("token_hash"),
        {"invited_by", C::kAccount, E::kPseudonymise},
        np("expires_at"),
        np("accepted_at"),
        np("revoked_at"),
        np("created_at")}},
      {"api_keys",
       "the member who created the key",
       ctl,
       "API access for a workspace",
       B::kContract,
       "until revoked",
       {np("id"),
        np("workspace_id"),
        np("name"),
        np("role"),
        np("key_hash"),
        np("key_prefix"),
        {"created_by", C::kAccount, E::kPseudonymise},
        np("created_at"),
        np("last_used_at"),
        np("revoked_at")}},
      {"audit_events",
       "account holder or API key actor",
       ctl,
       "security and accountability (who did what, from where)",
       B::kLegitimateInterests,
       "while the workspace exists; actors pseudonymised on erasure",
       {np("id"),
        np("workspace_id"),
        np("actor_type"),
        {"actor_id", C::kSecurity, E::kPseudonymise},
        np("action"),
        np("target_type"),
        np("target_id"),
        {"ip", C::kDevice, E::kNull},
        {"user_agent", C::kDevice, E::kNull},
        {"data", C::kUsage, E::kNull},
        np("created_at")}},
      {"idempotency_keys",
       "the caller (stored responses may name them)",
       ctl,
       "replaying retried API requests once",
       B::kContract,
       "24 hours",
       {np("principal"),
        np("idem_key"),
        np("method"),
        np("path"),
        np("request_hash"),
        np("status"),
        np("content_type"),
        {"response_body", C::kUsage, E::kDelete},
        np("created_at")}},
      {"jobs",
       "people named in bulk requests (mailbox names)",
       proc,
       "long-running work (bulk domains, bulk mailboxes)",
       B::kContract,
       "while the workspace exists",
       {np("id"),
        np("workspace_id"),
        np("kind"),
        np("status"),
        np("total"),
        np("done"),
        {"results", C::kContent, E::kDelete},
        np("created_at"),
        np("updated_at")}},
      {"outbox",
       "account holder or invited person",
       ctl,
       "account e-mails (verification, reset, invitations, security alerts)",
       B::kContract,
       "until sent, then 30 days",
       {np("id"),
        np("kind"),
        {"to_address", C::kContact, E::kDelete},
        np("user_id"),
        {"subject", C::kContent, E::kDelete},
        {"body_text", C::kContent, E::kDelete},
        {"body_html", C::kContent, E::kDelete},
        np("status"),
        np("created_at"),
        np("sent_at")}},
      // Domains and DNS: public by nature (DNS), no personal data.
      {"domains",
       "",
       proc,
       "hosting the customer's domains and their DNS",
       B::kContract,
       "while the workspace holds the domain",
       {np("id"), np("workspace_id"), np("name"), np("unicode_name"), np("source"), np("status"),
        np("verification_token"), np("forward_url"), np("dmarc_policy"), np("autorenew"),
        np("expires_at"), np("price_amount"), np("price_currency"), np("zone_serial"),
        np("verify_report"), np("created_at"), np("updated_at")}},
      {"dkim_keys",
       "",
       proc,
       "signing the customer's mail",
       B::kContract,
       "until rotated out and past the grace period",
       {np("id"), np("domain_id"), np("selector"), np("private_key"), np("public_key"),
        np("status"), np("created_at"), np("retire_after")}},
      {"dns_records",
       "",
       proc,
       "the customer's DNS records",
       B::kContract,
       "while the domain is hosted",
       {np("id"), np("domain_id"), np("name"), np("type"), np("ttl"), np("value"), np("created_at"),
        np("updated_at")}},
      // Mailboxes and mail: the customer's content; MailJuke processes it on their instructions.
      {"mailboxes",
       "the person a mailbox is named after",
       proc,
       "sending and receiving the customer's mail",
       B::kContract,
       "until the mailbox is deleted",
       {np("id"),
        np("workspace_id"),
        np("domain_id"),
        {"local_part", C::kContact, E::kDelete},
        {"first_name", C::kContact, E::kDelete},
        {"last_name", C::kContact, E::kDelete},
        {"password_hash", C::kSecurity, E::kDelete},
        {"password_sealed", C::kSecurity, E::kDelete},
        np("daily_limit"),
        {"signature", C::kContact, E::kDelete},
        {"forward_to", C::kContact, E::kDelete},
        np("status"),
        np("created_at"),
        np("updated_at")}},
      {"mailbox_counters",
       "",
       proc,
       "daily sending limits and statistics",
       B::kContract,
       "while the mailbox exists",
       {np("mailbox_id"), np("day"), np("sent"), np("bounced"), np("received")}},
      {"mail_folders",
       "the mailbox user (folder names they chose)",
       proc,
       "the mailbox's folders",
       B::kContract,
       "while the mailbox exists",
       {np("id"),
        np("mailbox_id"),
        {"name", C::kContent, E::kDelete},
        np("special_use"),
        np("subscribed"),
        np("uidvalidity"),
        np("uidnext"),
        np("highest_modseq"),
        np("created_at")}},
      {"mail_messages",
       "senders and recipients of the customer's mail",
       proc,
       "storing the customer's mail",
       B::kContract,
       "until deleted by the customer or with the mailbox",
       {np("id"),
        np("folder_id"),
        np("uid"),
        np("blob_id"),
        np("size"),
        np("internal_date"),
        np("flags"),
        np("modseq"),
        {"envelope", C::kContent, E::kDelete},
        {"bodystructure", C::kContent, E::kDelete},
        np("created_at")}},
      {"mail_queue",
       "senders and recipients of the customer's mail",
       proc,
       "delivering the customer's outgoing mail",
       B::kContract,
       "until delivered or bounced (5 days)",
       {np("id"),
        np("message_id"),
        np("blob_id"),
        {"envelope_from", C::kContact, E::kDelete},
        np("sender_mailbox_id"),
        np("domain"),
        {"recipients", C::kContact, E::kDelete},
        np("status"),
        np("attempts"),
        np("next_attempt_at"),
        np("expires_at"),
        {"last_error", C::kContent, E::kDelete},
        np("created_at"),
        np("updated_at")}},
      // Bookkeeping.
      {"schema_migrations",
       "",
       ctl,
       "database upgrades",
       B::kLegitimateInterests,
       "forever",
       {np("version"), np("name"), np("applied_at")}},
      {"zone_state",
       "",
       ctl,
       "DNS snapshot versioning",
       B::kContract,
       "forever",
       {np("id"), np("version")}},
      {"mailbox_state",
       "",
       ctl,
       "mail directory versioning",
       B::kContract,
       "forever",
       {np("id"), np("version")}},
  };
}

}  // namespace

const std::vector<TableUse>& dataInventory() {
  static const std::vector<TableUse> inventory = build();
  return inventory;
}

const char* categoryName(Category c) {
  switch (c) {
    case C::kNotPersonal:
      return "not_personal";
    case C::kAccount:
      return "account";
    case C::kContact:
      return "contact";
    case C::kBilling:
      return "billing";
    case C::kPayment:
      return "payment";
    case C::kDevice:
      return "device";
    case C::kUsage:
      return "usage";
    case C::kContent:
      return "content";
    case C::kSupport:
      return "support";
    case C::kSecurity:
      return "security";
  }
  return "unknown";
}

const char* legalBasisName(LegalBasis b) {
  switch (b) {
    case B::kContract:
      return "contract";
    case B::kLegitimateInterests:
      return "legitimate_interests";
    case B::kConsent:
      return "consent";
    case B::kLegalObligation:
      return "legal_obligation";
  }
  return "unknown";
}

const char* eraseName(Erase e) {
  switch (e) {
    case E::kNone:
      return "none";
    case E::kDelete:
      return "delete";
    case E::kNull:
      return "null";
    case E::kPseudonymise:
      return "pseudonymise";
    case E::kRetainRestricted:
      return "retain_restricted";
  }
  return "unknown";
}

}  // namespace mailjuke::core::privacy
