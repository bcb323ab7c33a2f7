// Outbound delivery: takes due entries from the mail queue, finds the destination's MX through
// the configured resolver (RFC 5321 §5.1: preference order, A/AAAA fallback; RFC 7505 null MX
// bounces at once), speaks SMTP with opportunistic STARTTLS, one transaction per destination
// domain with all its recipients, reuses connections, retries with exponential backoff until
// the entry expires, and sends a DSN (RFC 3464 multipart/report) to the sender on permanent
// failure or expiry. Entries interrupted by a crash are retried on restart.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "base/result.h"
#include "core/context.h"
#include "core/mail/mail_store.h"
#include "core/mailauth/resolver.h"
#include "core/mailboxes/mail_directory.h"
#include "net/runtime.h"

namespace mailjuke::delivery {

struct DeliveryOptions {
  std::string hostname = "mail.mailjuke.test";  // EHLO name and DSN Reporting-MTA
  std::string relay;   // "host:port" smarthost: every message goes there instead of the MX
  uint16_t port = 25;  // destination port (tests point it at a loopback aiosmtpd)
  int64_t max_age_seconds = 5 * 86400;  // then bounce
  int64_t first_retry_seconds = 60;     // doubles each attempt, capped at 4 h
  size_t concurrency = 16;              // parallel outbound sessions
  std::chrono::milliseconds poll{500};
};

class DeliveryWorker {
 public:
  DeliveryWorker(net::Runtime& runtime, DeliveryOptions options, core::CoreContext& ctx,
                 core::MailStore& store, core::MailDirectory& directory,
                 core::mailauth::Resolver& resolver);
  ~DeliveryWorker();
  void start();
  void stop();
  // Wakes the worker at once (after a message was queued).
  void kick();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mailjuke::delivery
