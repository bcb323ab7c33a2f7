// The SMTP server's backend in production: policy and storage from core::MailIntake,
// credentials from core::MailDirectory.
#pragma once

#include <functional>

#include "core/mail/intake.h"
#include "core/mailboxes/mail_directory.h"
#include "server/smtp/smtp_backend.h"

namespace mailjuke::app {

class MailBackend final : public smtp::SmtpBackend {
 public:
  // `accepted` runs after every stored message (wakes the delivery worker).
  MailBackend(core::MailIntake& intake, core::MailDirectory& directory,
              std::function<void()> accepted)
      : intake_(intake), directory_(directory), accepted_(std::move(accepted)) {}

  core::RcptVerdict inboundRecipient(std::string_view address) override {
    return intake_.inboundRecipient(address);
  }
  std::pair<core::MailAuthResult, std::shared_ptr<const core::MailAccount>> authenticate(
      std::string_view username, std::string_view password) override {
    return directory_.authenticate(username, password);
  }
  Result<bool> mailboxFull(std::string_view address, uint64_t incoming_bytes) override {
    return intake_.mailboxFull(address, incoming_bytes);
  }
  bool senderAllowed(const core::MailAccount& account, std::string_view mail_from) override {
    return intake_.senderAllowed(account, mail_from);
  }
  Result<bool> dailyLimitReached(const core::MailAccount& account) override {
    return intake_.dailyLimitReached(account);
  }
  Result<std::string> receive(const core::SmtpEnvelope& envelope, std::string message) override {
    return notify(intake_.receive(envelope, std::move(message)));
  }
  Result<std::string> submit(const core::SmtpEnvelope& envelope, std::string message) override {
    return notify(intake_.submit(envelope, std::move(message)));
  }

 private:
  Result<std::string> notify(Result<std::string> r) {
    if (r.ok() && accepted_) accepted_();
    return r;
  }
  core::MailIntake& intake_;
  core::MailDirectory& directory_;
  std::function<void()> accepted_;
};

}  // namespace mailjuke::app
