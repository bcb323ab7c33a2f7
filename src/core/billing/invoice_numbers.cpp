#include "core/billing/invoice_numbers.h"

#include <cstdio>
#include <ctime>

namespace mailjuke::core::billing {

std::string invoiceSeries(const std::string& prefix, int64_t at) {
  time_t t = static_cast<time_t>(at);
  struct tm tm {};
  gmtime_r(&t, &tm);
  return prefix + "-" + std::to_string(tm.tm_year + 1900);
}

std::string formatInvoiceNumber(const std::string& series, int64_t number) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%06lld", static_cast<long long>(number));
  return series + "-" + digits;
}

Result<int64_t> nextInvoiceNumber(store::Tx& tx, const std::string& series) {
  if (series.empty() || series.size() > 64) return Error::invalid("series", "1 to 64 characters");
  MJ_TRY(tx.exec(
      "INSERT INTO invoice_series (series, last_number) VALUES (?, 0) ON CONFLICT (series) DO "
      "NOTHING",
      {series}));
  // The UPDATE locks the row until commit; read-committed re-reads the latest value.
  MJ_TRY_ASSIGN(auto changed,
                tx.exec("UPDATE invoice_series SET last_number = last_number + 1 WHERE series = ?",
                        {series}));
  if (changed != 1) return Error::internal("invoice series row missing");
  MJ_TRY_ASSIGN(auto row,
                tx.queryOne("SELECT last_number FROM invoice_series WHERE series = ?", {series}));
  if (!row) return Error::internal("invoice series row missing");
  return row->integer(0);
}

}  // namespace mailjuke::core::billing
