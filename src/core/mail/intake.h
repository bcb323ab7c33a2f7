// What happens to a message between the SMTP session and the mail store: recipient policy on
// the MX, sender rules and DKIM signing on submission, SPF/DKIM/DMARC recording on inbound
// mail, and splitting recipients into local deliveries and the outbound queue. The SMTP server
// speaks the protocol; every decision about mail is made here.
//
// Thread-safety: safe from any thread. Methods marked blocking run on the worker pool.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "core/context.h"
#include "core/mail/mail_store.h"
#include "core/mailauth/resolver.h"
#include "core/mailboxes/mail_directory.h"

namespace mailjuke::core {

struct SmtpEnvelope {
  std::string client_ip;
  std::string helo;
  bool tls = false;
  bool smtputf8 = false;
  std::string mail_from;  // "" = null sender
  std::vector<std::string> rcpt_to;
  std::shared_ptr<const MailAccount> account;  // the authenticated submitter; null on the MX
};

enum class RcptVerdict {
  kAccept,
  kUnknownUser,  // 550 5.1.1: hosted domain, no such mailbox
  kRelayDenied,  // 554 5.7.1: the domain is not hosted here
};

struct IntakeOptions {
  std::string hostname = "mail.mailjuke.test";  // Received and Authentication-Results authserv-id
  // A hosted mailbox's storage limit in bytes (empty: none). A delivery that would take an INBOX
  // over it fails with kPaymentRequired (SMTP 452 4.2.2, RFC 3463 "mailbox full": the sender
  // retries later). The check is not transactional: a soft limit.
  std::function<int64_t(const std::string& mailbox_id)> quota_limit;
  // The platform sender (outbox_sender.h), lower case; empty: none. The MX accepts it as a
  // recipient and reads what arrives for it as a report about platform e-mail
  // (outbox_bounces.h); a message for it is then stored only if it is a hosted mailbox too.
  std::string platform_address;
};

class MailIntake {
 public:
  MailIntake(CoreContext& ctx, MailDirectory& directory, MailStore& store,
             mailauth::Resolver& resolver, IntakeOptions options);

  // MX RCPT TO (non-blocking: directory snapshot only).
  RcptVerdict inboundRecipient(std::string_view address) const;
  // RCPT TO of a hosted recipient (blocking: SQL): whether its mailbox is over its quota, or
  // would be with `incoming_bytes` more (the declared SIZE, 0 when unknown) → 452 4.2.2 for
  // that recipient alone. False for addresses that are not hosted mailboxes.
  Result<bool> mailboxFull(std::string_view address, uint64_t incoming_bytes) const;
  // Submission MAIL FROM: the envelope sender must be the authenticated mailbox.
  bool senderAllowed(const MailAccount& account, std::string_view mail_from) const;
  // Submission MAIL FROM: whether the daily limit is already used up (blocking: SQL).
  Result<bool> dailyLimitReached(const MailAccount& account);

  // End of DATA (blocking: DNS, fsync, SQL). Ok → the queue id for "250 2.0.0 Ok: queued as".
  // Errors: kInvalid → 550 5.6.0 (unusable message), kForbidden → 553 5.7.1 (From header is
  // not the sender's), kRateLimited → 451 4.7.1 (daily limit), kPaymentRequired → 452 4.2.2
  // (a recipient's mailbox is over its quota), anything else → 451 4.3.0.
  Result<std::string> receive(const SmtpEnvelope& envelope, std::string message);
  Result<std::string> submit(const SmtpEnvelope& envelope, std::string message);

 private:
  struct Routing {
    std::vector<LocalDelivery> local;
    std::vector<std::string> remote;
    std::vector<std::shared_ptr<const MailAccount>> forwarding;  // local recipients with forward_to
  };
  Routing route(const std::vector<std::string>& recipients) const;
  void forwardCopies(const Routing& routing, const std::string& message, int64_t now);
  Result<std::string> store(const SmtpEnvelope& envelope, std::string content,
                            const MailAccount* sender, int64_t now);

  CoreContext& ctx_;
  MailDirectory& directory_;
  MailStore& store_;
  mailauth::Resolver& resolver_;
  IntakeOptions options_;
};

}  // namespace mailjuke::core
