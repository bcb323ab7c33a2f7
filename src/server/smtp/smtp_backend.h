// What an SMTP session asks of the rest of MailJuke. The composition root adapts
// core::MailIntake and core::MailDirectory to it; tests use fakes.
//
// Methods marked blocking are called on the worker pool, the others on the network thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "base/result.h"
#include "core/mail/intake.h"
#include "core/mailboxes/mail_directory.h"

namespace mailjuke::smtp {

class SmtpBackend {
 public:
  virtual ~SmtpBackend() = default;
  // MX RCPT TO policy (non-blocking).
  virtual core::RcptVerdict inboundRecipient(std::string_view address) = 0;
  // AUTH PLAIN / LOGIN (blocking on a cache miss: Argon2id).
  virtual std::pair<core::MailAuthResult, std::shared_ptr<const core::MailAccount>> authenticate(
      std::string_view username, std::string_view password) = 0;
  // RCPT TO of an accepted hosted recipient (blocking: SQL): whether its mailbox cannot take a
  // message of `incoming_bytes` (MAIL FROM SIZE=, 0 when undeclared) without going over its
  // storage quota → 452 4.2.2 for that recipient only (RFC 5321 §4.5.3.1.10).
  virtual Result<bool> mailboxFull(std::string_view address, uint64_t incoming_bytes) = 0;
  // Submission MAIL FROM (non-blocking).
  virtual bool senderAllowed(const core::MailAccount& account, std::string_view mail_from) = 0;
  // Submission MAIL FROM (blocking: SQL).
  virtual Result<bool> dailyLimitReached(const core::MailAccount& account) = 0;
  // End of DATA (blocking). Error mapping: see core::MailIntake::receive/submit.
  virtual Result<std::string> receive(const core::SmtpEnvelope& envelope, std::string message) = 0;
  virtual Result<std::string> submit(const core::SmtpEnvelope& envelope, std::string message) = 0;
};

}  // namespace mailjuke::smtp
