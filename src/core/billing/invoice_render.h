// An invoice as a document: HTML (for the browser) and PDF (cairo's PDF surface), both rendered
// from invoiceJson(): seller and buyer, number, dates, lines, totals, the reverse-charge note.
#pragma once

#include <string>

#include "base/json.h"
#include "base/result.h"

namespace mailjuke::core::billing {

// "$1,234.56" style: minor units with two decimals (zero-decimal currencies unscaled).
std::string formatMoney(int64_t amount, const std::string& currency);

std::string renderInvoiceHtml(const Json& invoice);
Result<std::string> renderInvoicePdf(const Json& invoice);

}  // namespace mailjuke::core::billing
