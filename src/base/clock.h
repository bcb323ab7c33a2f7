// Injected time. Services take a Clock& so tests can move time (retention, renewals, expiry).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace mailjuke {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  int64_t nowSeconds() const;
  int64_t nowMillis() const;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
};

// A clock that tests move by hand. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t unix_seconds) : ms_(unix_seconds * 1000) {}
  TimePoint now() const override;
  void advanceSeconds(int64_t s) { ms_ += s * 1000; }
  void setSeconds(int64_t s) { ms_ = s * 1000; }

 private:
  std::atomic<int64_t> ms_;
};

// RFC 3339 UTC, second precision: 2026-12-01T06:48:56Z
std::string formatRfc3339(int64_t unix_seconds);
// Accepts "YYYY-MM-DDTHH:MM:SSZ" (fraction and offset tolerated). -1 on failure.
int64_t parseRfc3339(const std::string& text);
// YYYY-MM-DD for a unix time (UTC).
std::string formatDate(int64_t unix_seconds);
// RFC 5322 §3.3 date-time in UTC: "Tue, 01 Dec 2026 09:30:00 +0000".
std::string formatRfc5322(int64_t unix_seconds);

}  // namespace mailjuke
