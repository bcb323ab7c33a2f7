// A scripted SmtpBackend for unit tests, socket tests and the fuzz target. Not for production.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "server/smtp/smtp_backend.h"

namespace mailjuke::smtp::testing {

class FakeBackend : public SmtpBackend {
 public:
  // "user@hosted.test" / "secret" authenticates; "frozen@hosted.test" is suspended.
  std::set<std::string> known = {"user@hosted.test", "other@hosted.test"};
  std::string hosted_domain = "hosted.test";
  bool limit_reached = false;
  bool throw_on_deliver = false;
  Error deliver_error{ErrorCode::kInternal, ""};
  bool fail_deliver = false;
  // mailboxFull: these addresses are over quota; the others have `room` bytes left.
  std::set<std::string> full;
  uint64_t room = UINT64_MAX;
  bool fail_quota = false;

  struct Delivery {
    core::SmtpEnvelope envelope;
    std::string message;
    bool submitted;
  };
  std::mutex mu;
  std::vector<Delivery> deliveries;
  std::atomic<int> auth_calls{0};

  core::RcptVerdict inboundRecipient(std::string_view address) override {
    std::string a(address);
    if (known.count(a)) return core::RcptVerdict::kAccept;
    auto at = a.rfind('@');
    if (at != std::string::npos && a.substr(at + 1) == hosted_domain)
      return core::RcptVerdict::kUnknownUser;
    return core::RcptVerdict::kRelayDenied;
  }
  std::pair<core::MailAuthResult, std::shared_ptr<const core::MailAccount>> authenticate(
      std::string_view username, std::string_view password) override {
    ++auth_calls;
    auto acc = std::make_shared<core::MailAccount>();
    acc->local_part = std::string(username.substr(0, username.find('@')));
    acc->domain = hosted_domain;
    acc->daily_limit = 50;
    if (username == "frozen@hosted.test" && password == "secret")
      return {core::MailAuthResult::kSuspended, nullptr};
    if (username == "user@hosted.test" && password == "secret")
      return {core::MailAuthResult::kOk, acc};
    return {core::MailAuthResult::kBadCredentials, nullptr};
  }
  Result<bool> mailboxFull(std::string_view address, uint64_t incoming_bytes) override {
    if (fail_quota) return Error::internal("database down");
    return full.count(std::string(address)) > 0 || incoming_bytes > room;
  }
  bool senderAllowed(const core::MailAccount& account, std::string_view mail_from) override {
    return mail_from == account.address();
  }
  Result<bool> dailyLimitReached(const core::MailAccount&) override { return limit_reached; }
  Result<std::string> receive(const core::SmtpEnvelope& e, std::string message) override {
    return deliver(e, std::move(message), false);
  }
  Result<std::string> submit(const core::SmtpEnvelope& e, std::string message) override {
    return deliver(e, std::move(message), true);
  }

 private:
  Result<std::string> deliver(const core::SmtpEnvelope& e, std::string message, bool submitted) {
    if (throw_on_deliver) throw std::runtime_error("disk on fire");
    if (fail_deliver) return deliver_error;
    std::lock_guard lk(mu);
    deliveries.push_back({e, std::move(message), submitted});
    return "Q" + std::to_string(deliveries.size());
  }
};

}  // namespace mailjuke::smtp::testing
