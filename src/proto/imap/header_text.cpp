#include "proto/imap/header_text.h"

#include <gmime/gmime.h>

#include <mutex>

namespace mailjuke::imap {
namespace {

void ensureGMime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

std::string decodeHeaderText(std::string_view value) {
  if (value.find("=?") == std::string_view::npos) return std::string(value);
  ensureGMime();
  std::string in(value);
  char* decoded = g_mime_utils_header_decode_text(nullptr, in.c_str());
  if (!decoded) return in;
  std::string out(decoded);
  g_free(decoded);
  return out;
}

std::optional<int64_t> sentDay(std::string_view date_value) {
  ensureGMime();
  std::string in(date_value);
  GDateTime* dt = g_mime_utils_header_decode_date(in.c_str());
  if (!dt) return std::nullopt;
  int y = 0, m = 0, d = 0;
  // The date in the field's own zone: GMime keeps the parsed offset on the GDateTime.
  g_date_time_get_ymd(dt, &y, &m, &d);
  g_date_time_unref(dt);
  if (y < 1900 || m < 1 || d < 1) return std::nullopt;
  return daysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) * 86400;
}

}  // namespace mailjuke::imap
