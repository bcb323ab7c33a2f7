// Invoices (list, one) and billing details (the buyer on future invoices).
#include "base/encoding.h"
#include "core/audit/audit_log.h"
#include "core/billing/billing_service.h"
#include "core/billing/invoices.h"
#include "core/billing/plans.h"
#include "core/billing/vat.h"
#include "core/workspaces/workspace_service.h"

namespace mailjuke::core::billing {
namespace {

Json detailsJson(const std::optional<store::Row>& r, const std::string& seller_country) {
  BillingDetails d;
  int64_t updated = 0;
  if (r) {
    d = {r->text(0), r->text(1), r->text(2), r->text(3), r->text(4)};
    updated = r->integer(5);
  }
  return {{"legal_name", d.legal_name},
          {"address", d.address},
          {"country", d.country},
          {"vat_id", d.vat_id},
          {"email", d.email},
          {"vat_id_looks_valid", looksLikeEuVatId(d.vat_id)},
          {"reverse_charge", reverseCharge(seller_country, d.country, d.vat_id)},
          {"updated_at", updated ? Json(formatRfc3339(updated)) : Json(nullptr)}};
}

}  // namespace

Result<Page> BillingService::invoices(const Principal& p, const std::string& ws,
                                      const std::optional<std::string>& cursor, int limit) {
  return ctx_.db.read<Page>([&](store::Tx& tx) -> Result<Page> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kBillingRead));
    return listInvoices(tx, ws, cursor, limit);
  });
}

Result<Json> BillingService::invoice(const Principal& p, const std::string& ws,
                                     const std::string& inv) {
  return ctx_.db.read<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kBillingRead));
    MJ_TRY_ASSIGN(Json j, invoiceJson(tx, ws, inv));
    // Credit notes against it (credit_notes.cpp): what was credited and what is still due.
    MJ_TRY_ASSIGN(auto notes, tx.query("SELECT id, number, total FROM credit_notes WHERE "
                                       "invoice_id = ? ORDER BY id",
                                       {inv}));
    int64_t credited = 0;
    Json list = Json::array();
    for (const auto& n : notes) {
      credited += n.integer(2);
      list.push_back({{"id", n.text(0)},
                      {"number", n.text(1)},
                      {"total", money(n.integer(2), j["currency"].get<std::string>())}});
    }
    int64_t total = j["total"]["amount"].get<int64_t>();
    j["credit_notes"] = list;
    j["amount_credited"] = money(credited, j["currency"].get<std::string>());
    j["amount_due"] =
        money(j["status"] == "open" ? total - credited : 0, j["currency"].get<std::string>());
    return j;
  });
}

Result<Json> BillingService::billingDetails(const Principal& p, const std::string& ws) {
  return ctx_.db.read<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kBillingRead));
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT legal_name, address, country, vat_id, email, "
                                        "updated_at FROM billing_details WHERE workspace_id = ?",
                                        {ws}));
    return detailsJson(row, ctx_.settings.billing.seller_country);
  });
}

Result<Json> BillingService::setBillingDetails(const Principal& p, const std::string& ws,
                                               const BillingDetails& in) {
  BillingDetails d = in;
  for (auto& ch : d.country) ch = char(std::toupper(static_cast<unsigned char>(ch)));
  if (!d.country.empty() &&
      (d.country.size() != 2 ||
       d.country.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos))
    return Error::invalid("country", "must be an ISO 3166-1 alpha-2 code such as DE");
  if (!d.vat_id.empty()) {
    d.vat_id = normaliseVatId(d.vat_id);
    if (isEuCountry(d.country) && !looksLikeEuVatId(d.vat_id))
      return Error::invalid("vat_id", "does not look like an EU VAT ID (e.g. DE123456789)");
  }
  if (!d.email.empty() && (d.email.find('@') == std::string::npos || d.email.size() > 320))
    return Error::invalid("email", "must be an e-mail address");
  int64_t now = ctx_.clock.nowSeconds();
  return ctx_.db.write<Json>([&](store::Tx& tx) -> Result<Json> {
    MJ_TRY(WorkspaceService::authorize(tx, p, ws, Action::kBillingManage));
    MJ_TRY(
        tx.exec("INSERT INTO billing_details (workspace_id, legal_name, address, country, "
                "vat_id, email, updated_at) VALUES (?,?,?,?,?,?,?) ON CONFLICT (workspace_id) "
                "DO UPDATE SET legal_name = excluded.legal_name, address = excluded.address, "
                "country = excluded.country, vat_id = excluded.vat_id, email = excluded.email, "
                "updated_at = excluded.updated_at",
                {ws, d.legal_name, d.address, d.country, d.vat_id, d.email, now}));
    MJ_TRY(recordAudit(tx, p,
                       {ws,
                        "billing_details.update",
                        "workspace",
                        ws,
                        {{"country", d.country}, {"vat_id_set", !d.vat_id.empty()}}},
                       now));
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT legal_name, address, country, vat_id, email, "
                                        "updated_at FROM billing_details WHERE workspace_id = ?",
                                        {ws}));
    return detailsJson(row, ctx_.settings.billing.seller_country);
  });
}

}  // namespace mailjuke::core::billing
