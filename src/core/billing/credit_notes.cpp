// Credit notes (docs/billing.md "Credit notes"): the way a finalised invoice is corrected. Issued
// for an open or paid invoice, never for more than what is left to credit on it; numbered in their
// own gapless series inside the issuing transaction; immutable once issued (triggers, 0011). A
// paid invoice's credit goes to the wallet (ledger: revenue → wallet); an open invoice's credit
// reduces what is due, and an open invoice credited in full is voided.
#include "base/encoding.h"
#include "base/ids.h"
#include "core/audit/audit_log.h"
#include "core/billing/billing_service.h"
#include "core/billing/invoice_numbers.h"
#include "core/billing/invoices.h"
#include "core/billing/plans.h"
#include "core/pagination.h"
#include "core/workspaces/workspace_service.h"

namespace mailjuke::core::billing {
namespace {

constexpr const char* kCreditNoteSelect =
    "SELECT c.id, c.number, c.invoice_id, i.number, c.reason, c.currency, c.total, c.settlement, "
    "c.ledger_transaction_id, c.created_at, c.workspace_id FROM credit_notes c JOIN invoices i ON "
    "i.id = c.invoice_id";

Json summaryJson(const store::Row& r) {
  std::string base = "/api/v1/workspaces/" + r.text(10) + "/credit-notes/" + r.text(0);
  return {{"id", r.text(0)},
          {"number", r.text(1)},
          {"status", "issued"},
          {"invoice_id", r.text(2)},
          {"invoice_number", r.text(3)},
          {"reason", r.text(4)},
          {"total", money(r.integer(6), r.text(5))},
          {"currency", toLowerAscii(r.text(5))},
          {"settlement", r.text(7)},
          {"ledger_transaction_id", r.isNull(8) ? Json(nullptr) : Json(r.text(8))},
          {"created_at", formatRfc3339(r.integer(9))},
          {"html_url", base + ".html"},
          {"pdf_url", base + ".pdf"}};
}

// The full credit note: its lines, and seller and buyer as on the invoice it credits.
Result<Json> creditNoteJson(store::Tx& tx, const std::string& ws, const std::string& id) {
  MJ_TRY_ASSIGN(auto row, tx.queryOne(std::string(kCreditNoteSelect) +
                                          " WHERE c.id = ? AND c.workspace_id = ?",
                                      {id, ws}));
  if (!row) return Error::notFound("credit note");
  Json j = summaryJson(*row);
  MJ_TRY_ASSIGN(Json inv, invoiceJson(tx, ws, row->text(2)));
  for (const char* k : {"seller", "buyer", "reverse_charge", "reverse_charge_note"}) j[k] = inv[k];
  j["document_title"] = "Credit note";
  j["finalized_at"] = j["created_at"];
  j["credits_invoice"] = row->text(3);
  MJ_TRY_ASSIGN(auto lines, tx.query("SELECT description, amount FROM credit_note_lines WHERE "
                                     "credit_note_id = ? ORDER BY position",
                                     {id}));
  Json out = Json::array();
  for (const auto& l : lines)
    out.push_back({{"description", l.text(0)},
                   {"quantity", 1},
                   {"unit_amount", money(l.integer(1), row->text(5))},
                   {"amount", money(l.integer(1), row->text(5))},
                   {"proration", false},
                   {"period_start", nullptr},
                   {"period_end", nullptr}});
  j["lines"] = out;
  return j;
}

}  // namespace

Result<Json> BillingService::issueCreditNote(const Principal& p, const std::string& ws,
                                             const std::string& inv, const CreditNoteInput& in) {
  if (in.reason.empty() || in.reason.size() > 500)
    return Error::invalid("reason", "is required (1 to 500 characters)");
  if (in.amount && !in.lines.empty())
    return Error::invalid("amount", "send either amount or lines, not both");
  if (in.amount && *in.amount <= 0)
    return Error::invalid("amount", "must be a positive amount in minor units");
  if (in.lines.size() > 100) return Error::invalid("lines", "at most 100 lines");
  for (size_t i = 0; i < in.lines.size(); ++i) {
    const auto& [desc, amount] = in.lines[i];
    std::string f = "lines[" + std::to_string(i) + "]";
    if (desc.empty() || desc.size() > 500)
      return Error::invalid(f + ".description", "is required (1 to 500 characters)");
    if (amount <= 0 || amount > (int64_t(1) << 40))
      return Error::invalid(f + ".amount", "must be a positive amount in minor units");
  }
  const auto& s = ctx_.settings.billing;
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kBillingManage));
    // Lock the invoice: concurrent credit notes for it are serialised, so the limit holds.
    MJ_TRY_ASSIGN(auto row, tx.queryOne(std::string("SELECT status, number, total, currency "
                                                    "FROM invoices WHERE id = ? AND "
                                                    "workspace_id = ?") +
                                            tx.forUpdate(),
                                        {inv, ws}));
    if (!row) return Error::notFound("invoice");
    const std::string status = row->text(0);
    const std::string number = row->isNull(1) ? std::string() : row->text(1);
    const std::string cur = row->text(3);
    if (status != "open" && status != "paid")
      return Error::make(ErrorCode::kConflict, "only open or paid invoices can be credited; " +
                                                   (number.empty() ? inv : number) + " is " +
                                                   status);
    MJ_TRY_ASSIGN(auto credited, tx.queryOne("SELECT COALESCE(SUM(total), 0) FROM credit_notes "
                                             "WHERE invoice_id = ?",
                                             {inv}));
    int64_t creditable = row->integer(2) - credited->integer(0);
    if (creditable <= 0)
      return Error::make(ErrorCode::kConflict, "nothing is left to credit on " + number +
                                                   " (total " + std::to_string(row->integer(2)) +
                                                   ", credited " +
                                                   std::to_string(credited->integer(0)) + ")");
    std::vector<std::pair<std::string, int64_t>> lines = in.lines;
    if (lines.empty())
      lines.push_back(
          {"Credit for invoice " + number + ": " + in.reason, in.amount.value_or(creditable)});
    int64_t total = 0;
    for (const auto& l : lines) total += l.second;
    if (total > creditable) {
      std::string field = in.lines.empty() ? "amount" : "lines";
      return Error::invalid(field, "at most " + std::to_string(creditable) +
                                       " minor units are left to credit on " + number +
                                       "; asked for " + std::to_string(total));
    }
    std::string id = newId("cn");
    MJ_TRY_ASSIGN(int64_t n, nextInvoiceNumber(tx, invoiceSeries(s.invoice_prefix + "CN", now)));
    std::string cn_number = formatInvoiceNumber(invoiceSeries(s.invoice_prefix + "CN", now), n);
    std::optional<std::string> txn;
    std::string settlement = status == "paid" ? "wallet" : "amount_due";
    if (status == "paid") {
      MJ_TRY(ledger_.ensureWorkspaceAccounts(tx, ws, cur));
      NewTransaction t{
          "credit", cur, ws, "cn:" + id, "credit note " + cn_number + " for invoice " + number,
          {},       {}};
      t.legs.push_back({platformAccountId("revenue", cur), Side::kDebit, total});
      t.legs.push_back({walletAccountId(ws, cur), Side::kCredit, total});
      MJ_TRY_ASSIGN(txn, ledger_.post(tx, t));
    }
    MJ_TRY(tx.exec(
        "INSERT INTO credit_notes (id, workspace_id, invoice_id, number, reason, "
        "currency, total, settlement, ledger_transaction_id, created_at) VALUES "
        "(?,?,?,?,?,?,?,?,?,?)",
        {id, ws, inv, cn_number, in.reason, cur, total, settlement, store::nullable(txn), now}));
    int64_t pos = 0;
    for (const auto& [desc, amount] : lines)
      MJ_TRY(
          tx.exec("INSERT INTO credit_note_lines (id, credit_note_id, position, description, "
                  "amount) VALUES (?,?,?,?,?)",
                  {newId("cnl"), id, ++pos, desc, amount}));
    if (status == "open" && total == creditable) MJ_TRY(markClosed(tx, inv, "void", now));
    MJ_TRY(recordAudit(tx, p,
                       {ws,
                        "credit_note.issue",
                        "credit_note",
                        id,
                        {{"number", cn_number},
                         {"invoice", number},
                         {"total", total},
                         {"settlement", settlement},
                         {"reason", in.reason}}},
                       now));
    MJ_TRY_ASSIGN(Json j, creditNoteJson(tx, ws, id));
    j["invoice_remaining_creditable"] = money(creditable - total, cur);
    return j;
  });
}

Result<Page> BillingService::creditNotes(const Principal& p, const std::string& ws,
                                         const std::optional<std::string>& invoice,
                                         const std::optional<std::string>& cursor, int limit) {
  return ctx_.db.read<Page>([&](store::Tx& tx) -> Result<Page> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kBillingRead));
    std::string sql = std::string(kCreditNoteSelect) + " WHERE c.workspace_id = ?";
    store::Params params{ws};
    if (invoice) {
      MJ_TRY_ASSIGN(auto own, tx.queryOne("SELECT 1 FROM invoices WHERE id = ? AND "
                                          "workspace_id = ?",
                                          {*invoice, ws}));
      if (!own) return Error::notFound("invoice");
      sql += " AND c.invoice_id = ?";
      params.push_back(*invoice);
    }
    return paginate(tx, sql, params, "c.id", PageRequest{cursor, limit, true}, summaryJson);
  });
}

Result<Json> BillingService::creditNote(const Principal& p, const std::string& ws,
                                        const std::string& cn) {
  return ctx_.db.read<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kBillingRead));
    return creditNoteJson(tx, ws, cn);
  });
}

}  // namespace mailjuke::core::billing
