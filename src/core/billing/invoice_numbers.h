// Gapless invoice numbers (EU VAT Directive Art. 226(2)): one counter row per series, e.g.
// "MJ-2026", incremented inside the transaction that finalises the invoice. The UPDATE takes the
// row lock (PostgreSQL) or runs in a serialised write transaction (SQLite), so concurrent
// finalisations wait for each other: none skips or duplicates a number, and a finalisation that
// rolls back gives its number back with it.
#pragma once

#include <cstdint>
#include <string>

#include "store/sql/database.h"

namespace mailjuke::core::billing {

// "MJ-2026" for prefix "MJ" and the UTC year of `at`.
std::string invoiceSeries(const std::string& prefix, int64_t at);
// "MJ-2026-000123": the number zero-padded to at least six digits.
std::string formatInvoiceNumber(const std::string& series, int64_t number);

// Call inside the finalising write transaction. Returns the next number of `series` (1, 2, …).
Result<int64_t> nextInvoiceNumber(store::Tx& tx, const std::string& series);

}  // namespace mailjuke::core::billing
