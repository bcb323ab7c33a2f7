#include "base/clock.h"

#include <cstdio>
#include <ctime>

namespace mailjuke {

int64_t Clock::nowSeconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(now().time_since_epoch()).count();
}

int64_t Clock::nowMillis() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(now().time_since_epoch()).count();
}

TimePoint ManualClock::now() const { return TimePoint(std::chrono::milliseconds(ms_.load())); }

std::string formatRfc3339(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string formatDate(int64_t unix_seconds) { return formatRfc3339(unix_seconds).substr(0, 10); }

std::string formatRfc5322(int64_t unix_seconds) {
  std::time_t t = std::time_t(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

int64_t parseRfc3339(const std::string& text) {
  std::tm tm{};
  int y, mo, d, h, mi, s;
  char tz[16] = {0};
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%15s", &y, &mo, &d, &h, &mi, &s, tz) < 6)
    return -1;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return -1;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  int64_t t = timegm(&tm);
  // Skip a fraction, then apply an offset like +02:00.
  const char* p = tz;
  if (*p == '.')
    while (*++p >= '0' && *p <= '9') {
    }
  if (*p == '+' || *p == '-') {
    int oh = 0, om = 0;
    if (std::sscanf(p + 1, "%2d:%2d", &oh, &om) != 2) return -1;
    int64_t off = oh * 3600 + om * 60;
    t -= (*p == '+') ? off : -off;
  } else if (*p != 'Z' && *p != 'z') {
    return -1;
  }
  return t;
}

}  // namespace mailjuke
