// Invoices in the database: `draft → open → paid | void | uncollectible`. A draft gets its lines,
// then finalise() snapshots seller and buyer, assigns the next gapless number of the year's
// series inside the same transaction, and opens it; from then on its content never changes
// (store-level: only the status moves forward; database-level: triggers of migration 0009 refuse
// any other UPDATE, line changes and deletes).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "core/context.h"

namespace mailjuke::core::billing {

struct InvoiceLine {
  std::string description;
  int64_t quantity = 1;
  int64_t unit_amount = 0;  // minor units; negative for credits
  bool proration = false;
  std::optional<int64_t> period_start, period_end;
  int64_t amount() const { return quantity * unit_amount; }
};

struct DraftInvoice {
  std::string workspace_id;
  std::optional<std::string> subscription_id;
  std::string reason;  // subscription_create | subscription_update | subscription_cycle
  std::string currency;
  std::optional<int64_t> period_start, period_end;
  std::vector<InvoiceLine> lines;
};

// Inserts a draft with its lines; returns the invoice id (inv_…).
Result<std::string> createDraft(store::Tx& tx, const DraftInvoice& d, int64_t now);
// draft → open with a number (e.g. MJ-2026-000042). kConflict unless draft.
Result<std::string> finalise(store::Tx& tx, const BillingSettings& s, const std::string& invoice_id,
                             int64_t now);
// open | uncollectible → paid.
Status markPaid(store::Tx& tx, const std::string& invoice_id, const std::string& paid_with,
                const std::optional<std::string>& ledger_transaction_id, int64_t now);
// open → void | uncollectible.
Status markClosed(store::Tx& tx, const std::string& invoice_id, const std::string& status,
                  int64_t now);

// {id, number, status, reason, total: {amount, currency}, lines: [...], seller, buyer,
// reverse_charge, reverse_charge_note, period_start, period_end, created_at, finalized_at, paid_at,
// pdf_url, html_url}. NotFound when the invoice is not in `workspace_id`.
Result<Json> invoiceJson(store::Tx& tx, const std::string& workspace_id,
                         const std::string& invoice_id);
Result<Page> listInvoices(store::Tx& tx, const std::string& workspace_id,
                          const std::optional<std::string>& cursor, int limit);

inline constexpr const char* kReverseChargeNote =
    "Reverse charge: VAT to be accounted for by the recipient (Art. 196 Council Directive "
    "2006/112/EC).";

}  // namespace mailjuke::core::billing
