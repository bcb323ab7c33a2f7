// Yearly renewal of purchased domains with autorenew at their expiry, paid from the wallet
// (docs/billing.md "Domains"). The domain row is locked while it is charged, so two nodes never
// renew it twice; when the wallet is short, autorenew is switched off and the billing contacts
// are told the price and the top-up path (turning autorenew back on after a top-up renews at the
// next run). The registrar's renew call (when one is set) is made inside the transaction after
// the charge, so a refusal rolls the charge back; with a remote registrar this holds the domain
// row (and on SQLite the write lock) for the length of that call.
#include <spdlog/spdlog.h>

#include "core/billing/billing_service.h"
#include "core/billing/domain_charges.h"

namespace mailjuke::core::billing {

Status BillingService::renewDomains(int64_t now, RenewalReport& report) {
  const auto& s = ctx_.settings.billing;
  if (auto st = noticeDomainRenewals(now, report); !st.ok())
    spdlog::warn("billing: domain renewal notices: {}", st.error().message);
  MJ_TRY_ASSIGN(auto due, ctx_.db.read<store::Rows>([&](store::Tx& tx) {
    return tx.query(
        "SELECT id FROM domains WHERE source = 'purchase' AND autorenew = 1 AND expires_at IS "
        "NOT NULL AND expires_at <= ? ORDER BY id",
        {now});
  }));
  for (const auto& d : due) {
    const std::string id = d.text(0);
    std::string ws, name, failure;
    int64_t price = 0;
    auto renewed = ctx_.db.write<bool>([&](store::Tx& tx) -> Result<bool> {
      MJ_TRY_ASSIGN(auto row, tx.queryOne(std::string("SELECT workspace_id, name, expires_at, "
                                                      "autorenew FROM domains WHERE id = ?") +
                                              tx.forUpdate(),
                                          {id}));
      if (!row || !row->boolean(3) || row->integer(2) > now) return false;
      ws = row->text(0);
      name = row->text(1);
      auto it = s.domain_prices.find(name.substr(name.rfind('.') + 1));
      if (it == s.domain_prices.end()) {
        failure = "the ." + name.substr(name.rfind('.') + 1) + " extension is no longer sold";
        return false;
      }
      price = it->second;
      int64_t from = row->integer(2), to = from + 365 * 86400;
      DomainCharge charge{id, name, price, 1, "domain_renewal", from, to};
      MJ_TRY_ASSIGN(auto inv, chargeDomain(tx, ctx_, ws, charge, now));
      if (registrar_) {
        // Paid (not committed yet): the registrar renews; a refusal rolls the charge back.
        auto renewed_until = registrar_->renew(name, 1, from);
        if (!renewed_until.ok()) {
          failure = "the registrar refused the renewal: " + renewed_until.error().message;
          return Error::make(ErrorCode::kPaymentRequired, failure);
        }
        to = *renewed_until;
      }
      MJ_TRY(
          tx.exec("UPDATE domains SET expires_at = ?, updated_at = ? WHERE id = ?", {to, now, id}));
      MJ_TRY(notifyBilling(tx, ws, "domain_renewed", "Your domain " + name + " was renewed",
                           name + " was renewed until " + formatRfc3339(to) + " for " +
                               std::to_string(price) + " minor units (" + s.currency +
                               ") from the wallet; invoice " + inv.number + ".",
                           now));
      return true;
    });
    if (renewed.ok() && *renewed) {
      ++report.domains_renewed;
      continue;
    }
    if (renewed.ok() && failure.empty()) continue;  // renewed elsewhere or turned off
    if (!renewed.ok() && renewed.error().code != ErrorCode::kPaymentRequired) {
      spdlog::warn("billing: renewal of domain {} failed: {}", id, renewed.error().message);
      continue;
    }
    if (!renewed.ok()) failure = renewed.error().message;
    ++report.domains_failed;
    auto st = ctx_.db.run(store::TxMode::kWrite, [&](store::Tx& tx) -> Status {
      MJ_TRY_ASSIGN(int64_t n, tx.exec("UPDATE domains SET autorenew = 0, updated_at = ? WHERE "
                                       "id = ? AND autorenew = 1",
                                       {now, id}));
      if (n != 1) return {};
      return notifyBilling(tx, ws, "domain_renewal_failed",
                           "Your domain " + name + " could not be renewed",
                           "We could not renew " + name + ": " + failure +
                               ". Automatic renewal is now off; top up the wallet and turn it "
                               "back on (PATCH …/domains/" +
                               id + " {\"autorenew\": true}) to renew it.",
                           now);
    });
    if (!st.ok()) spdlog::warn("billing: domain {}: {}", id, st.error().message);
  }
  return {};
}

}  // namespace mailjuke::core::billing
