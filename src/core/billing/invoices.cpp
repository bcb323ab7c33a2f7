#include "core/billing/invoices.h"

#include "base/encoding.h"
#include "base/ids.h"
#include "core/billing/invoice_numbers.h"
#include "core/billing/plans.h"
#include "core/billing/vat.h"
#include "core/pagination.h"

namespace mailjuke::core::billing {
namespace {

Json timeOrNull(const store::Row& r, size_t i) {
  return r.isNull(i) ? Json(nullptr) : Json(formatRfc3339(r.integer(i)));
}

constexpr const char* kColumns =
    "id, number, status, reason, currency, total, period_start, period_end, seller_name, "
    "seller_address, seller_country, seller_vat_id, buyer_name, buyer_address, buyer_country, "
    "buyer_vat_id, buyer_email, reverse_charge, finalized_at, paid_at, voided_at, paid_with, "
    "created_at, subscription_id, workspace_id";

Json summaryJson(const store::Row& r) {
  std::string base = "/api/v1/workspaces/" + r.text(24) + "/invoices/" + r.text(0);
  return {{"id", r.text(0)},
          {"number", r.isNull(1) ? Json(nullptr) : Json(r.text(1))},
          {"status", r.text(2)},
          {"reason", r.text(3)},
          {"total", money(r.integer(5), r.text(4))},
          {"currency", toLowerAscii(r.text(4))},
          {"period_start", timeOrNull(r, 6)},
          {"period_end", timeOrNull(r, 7)},
          {"seller",
           {{"name", r.text(8)},
            {"address", r.text(9)},
            {"country", r.text(10)},
            {"vat_id", r.text(11)}}},
          {"buyer",
           {{"name", r.text(12)},
            {"address", r.text(13)},
            {"country", r.text(14)},
            {"vat_id", r.text(15)},
            {"email", r.text(16)}}},
          {"reverse_charge", r.boolean(17)},
          {"reverse_charge_note", r.boolean(17) ? Json(kReverseChargeNote) : Json(nullptr)},
          {"finalized_at", timeOrNull(r, 18)},
          {"paid_at", timeOrNull(r, 19)},
          {"voided_at", timeOrNull(r, 20)},
          {"paid_with", r.isNull(21) ? Json(nullptr) : Json(r.text(21))},
          {"created_at", formatRfc3339(r.integer(22))},
          {"subscription_id", r.isNull(23) ? Json(nullptr) : Json(r.text(23))},
          {"html_url", base + ".html"},
          {"pdf_url", base + ".pdf"}};
}

}  // namespace

Result<std::string> createDraft(store::Tx& tx, const DraftInvoice& d, int64_t now) {
  std::string id = newId("inv");
  int64_t total = 0;
  for (const auto& l : d.lines) total += l.amount();
  MJ_TRY(
      tx.exec("INSERT INTO invoices (id, workspace_id, subscription_id, status, reason, "
              "currency, total, period_start, period_end, created_at, updated_at) VALUES "
              "(?,?,?,'draft',?,?,?,?,?,?,?)",
              {id, d.workspace_id, store::nullable(d.subscription_id), d.reason, d.currency, total,
               d.period_start ? store::Value(*d.period_start) : store::Value(nullptr),
               d.period_end ? store::Value(*d.period_end) : store::Value(nullptr), now, now}));
  int64_t pos = 0;
  for (const auto& l : d.lines) {
    MJ_TRY(
        tx.exec("INSERT INTO invoice_lines (id, invoice_id, position, description, quantity, "
                "unit_amount, amount, proration, period_start, period_end) VALUES "
                "(?,?,?,?,?,?,?,?,?,?)",
                {newId("inl"), id, ++pos, l.description, l.quantity, l.unit_amount, l.amount(),
                 int64_t(l.proration),
                 l.period_start ? store::Value(*l.period_start) : store::Value(nullptr),
                 l.period_end ? store::Value(*l.period_end) : store::Value(nullptr)}));
  }
  return id;
}

Result<std::string> finalise(store::Tx& tx, const BillingSettings& s, const std::string& id,
                             int64_t now) {
  MJ_TRY_ASSIGN(auto inv,
                tx.queryOne(std::string("SELECT status, workspace_id FROM invoices WHERE id = ?") +
                                tx.forUpdate(),
                            {id}));
  if (!inv) return Error::notFound("invoice");
  if (inv->text(0) != "draft")
    return Error::make(ErrorCode::kConflict, "invoice " + id + " is already finalised");
  MJ_TRY_ASSIGN(auto buyer, tx.queryOne("SELECT legal_name, address, country, vat_id, email FROM "
                                        "billing_details WHERE workspace_id = ?",
                                        {inv->text(1)}));
  std::string name, address, country, vat, email;
  if (buyer) {
    name = buyer->text(0);
    address = buyer->text(1);
    country = buyer->text(2);
    vat = buyer->text(3);
    email = buyer->text(4);
  }
  if (name.empty()) {
    MJ_TRY_ASSIGN(auto ws, tx.queryOne("SELECT name FROM workspaces WHERE id = ?", {inv->text(1)}));
    if (ws) name = ws->text(0);
  }
  bool rc = reverseCharge(s.seller_country, country, vat);
  std::string series = invoiceSeries(s.invoice_prefix, now);
  MJ_TRY_ASSIGN(int64_t n, nextInvoiceNumber(tx, series));
  std::string number = formatInvoiceNumber(series, n);
  MJ_TRY(
      tx.exec("UPDATE invoices SET status = 'open', number = ?, seller_name = ?, "
              "seller_address = ?, seller_country = ?, seller_vat_id = ?, buyer_name = ?, "
              "buyer_address = ?, buyer_country = ?, buyer_vat_id = ?, buyer_email = ?, "
              "reverse_charge = ?, finalized_at = ?, updated_at = ? WHERE id = ? AND status = "
              "'draft'",
              {number, s.seller_name, s.seller_address, s.seller_country, s.seller_vat_id, name,
               address, country, vat, email, int64_t(rc), now, now, id}));
  return number;
}

Status markPaid(store::Tx& tx, const std::string& id, const std::string& paid_with,
                const std::optional<std::string>& ledger_txn, int64_t now) {
  MJ_TRY_ASSIGN(int64_t n, tx.exec("UPDATE invoices SET status = 'paid', paid_at = ?, paid_with = "
                                   "?, ledger_transaction_id = ?, updated_at = ? WHERE id = ? AND "
                                   "status IN ('open', 'uncollectible')",
                                   {now, paid_with, store::nullable(ledger_txn), now, id}));
  if (n != 1) return Error::make(ErrorCode::kConflict, "invoice " + id + " is not open");
  return {};
}

Status markClosed(store::Tx& tx, const std::string& id, const std::string& status, int64_t now) {
  if (status != "void" && status != "uncollectible")
    return Error::invalid("status", "must be void or uncollectible");
  MJ_TRY_ASSIGN(
      int64_t n,
      tx.exec("UPDATE invoices SET status = ?, voided_at = ?, updated_at = ? "
              "WHERE id = ? AND status = 'open'",
              {status, status == "void" ? store::Value(now) : store::Value(nullptr), now, id}));
  if (n != 1) return Error::make(ErrorCode::kConflict, "invoice " + id + " is not open");
  return {};
}

Result<Json> invoiceJson(store::Tx& tx, const std::string& ws, const std::string& id) {
  MJ_TRY_ASSIGN(auto row, tx.queryOne(std::string("SELECT ") + kColumns +
                                          " FROM invoices WHERE id = ? AND workspace_id = ?",
                                      {id, ws}));
  if (!row) return Error::notFound("invoice");
  Json out = summaryJson(*row);
  MJ_TRY_ASSIGN(auto lines,
                tx.query("SELECT description, quantity, unit_amount, amount, proration, "
                         "period_start, period_end FROM invoice_lines WHERE "
                         "invoice_id = ? ORDER BY position",
                         {id}));
  Json items = Json::array();
  std::string cur = row->text(4);
  for (const auto& l : lines)
    items.push_back({{"description", l.text(0)},
                     {"quantity", l.integer(1)},
                     {"unit_amount", money(l.integer(2), cur)},
                     {"amount", money(l.integer(3), cur)},
                     {"proration", l.boolean(4)},
                     {"period_start", timeOrNull(l, 5)},
                     {"period_end", timeOrNull(l, 6)}});
  out["lines"] = items;
  return out;
}

Result<Page> listInvoices(store::Tx& tx, const std::string& ws,
                          const std::optional<std::string>& cursor, int limit) {
  return paginate(tx, std::string("SELECT ") + kColumns + " FROM invoices WHERE workspace_id = ?",
                  {ws}, "id", PageRequest{cursor, limit, true}, summaryJson);
}

}  // namespace mailjuke::core::billing
