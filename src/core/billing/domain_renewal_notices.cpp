// Notices before a purchased domain's paid year ends (docs/billing.md "Domains"): 30 and 7 days
// before expires_at, owner/billing members (and the billing e-mail) get one e-mail each, with
// the price, whether the wallet covers it now and what to do if not (or that autorenew is off).
// What was sent is remembered on the domain (renewal_notice_for = the expires_at it was about,
// renewal_notice_days = 30 or 7, migration 0017), in the transaction that queues the e-mail
// with the row locked, so several nodes or runs send each notice once. A run that first sees a
// domain inside 7 days sends only the 7-day notice; a renewal moves expires_at, so the next
// year's notices start over.
#include <spdlog/spdlog.h>

#include "core/billing/billing_service.h"

namespace mailjuke::core::billing {
namespace {

constexpr int64_t kDay = 86400;

std::string moneyText(int64_t amount, const std::string& currency) {
  return std::to_string(amount) + " " + currency + " (minor units)";
}

}  // namespace

Status BillingService::noticeDomainRenewals(int64_t now, RenewalReport& report) {
  const auto& s = ctx_.settings.billing;
  MJ_TRY_ASSIGN(auto due, ctx_.db.read<store::Rows>([&](store::Tx& tx) {
    return tx.query(
        "SELECT id FROM domains WHERE source = 'purchase' AND expires_at IS NOT NULL AND "
        "expires_at > ? AND expires_at <= ? AND (renewal_notice_for IS NULL OR "
        "renewal_notice_for <> expires_at OR renewal_notice_days > 7) ORDER BY id",
        {now, now + 30 * kDay});
  }));
  for (const auto& d : due) {
    const std::string id = d.text(0);
    auto sent = ctx_.db.write<bool>([&](store::Tx& tx) -> Result<bool> {
      MJ_TRY_ASSIGN(auto row, tx.queryOne(std::string("SELECT workspace_id, name, expires_at, "
                                                      "autorenew, renewal_notice_for, "
                                                      "renewal_notice_days FROM domains WHERE "
                                                      "id = ?") +
                                              tx.forUpdate(),
                                          {id}));
      if (!row || row->isNull(2)) return false;
      const std::string ws = row->text(0), name = row->text(1);
      int64_t expires = row->integer(2);
      if (expires <= now || expires > now + 30 * kDay) return false;
      int64_t days = expires - now <= 7 * kDay ? 7 : 30;
      if (!row->isNull(4) && row->integer(4) == expires && !row->isNull(5) &&
          row->integer(5) <= days)
        return false;  // this notice (or a later one) was sent for this expiry
      std::string tld = name.substr(name.rfind('.') + 1);
      auto price = s.domain_prices.find(tld);
      MJ_TRY_ASSIGN(auto bal, tx.queryOne("SELECT balance FROM ledger_accounts WHERE id = ?",
                                          {walletAccountId(ws, s.currency)}));
      int64_t balance = bal ? bal->integer(0) : 0;
      std::string when = formatRfc3339(expires);
      std::string subject, text;
      if (price == s.domain_prices.end()) {
        subject = "Your domain " + name + " expires on " + when.substr(0, 10);
        text = name + " expires on " + when + ". The ." + tld +
               " extension is no longer sold here, so it cannot be renewed through MailJuke.";
      } else if (!row->boolean(3)) {
        subject = "Your domain " + name + " expires on " + when.substr(0, 10);
        text = name + " expires on " + when + " and automatic renewal is off. Renewing costs " +
               moneyText(price->second, s.currency) +
               " for one year, paid from the wallet (it "
               "holds " +
               moneyText(balance, s.currency) +
               "). Turn renewal on with PATCH "
               "/api/v1/workspaces/" +
               ws + "/domains/" + id + " {\"autorenew\": true}.";
      } else {
        bool covered = balance >= price->second;
        subject = "Your domain " + name + " renews on " + when.substr(0, 10);
        text = name + " renews automatically on " + when + " for " +
               moneyText(price->second, s.currency) +
               " (one year), paid from the wallet. The "
               "wallet holds " +
               moneyText(balance, s.currency) + ": ";
        if (covered)
          text += "enough, nothing to do.";
        else
          text += "not enough. Top up at least " + moneyText(price->second - balance, s.currency) +
                  " with POST /api/v1/workspaces/" + ws +
                  "/wallet/top-ups before then; otherwise automatic renewal is switched off "
                  "and the domain expires.";
      }
      MJ_TRY(notifyBilling(tx, ws, "domain_renewal_notice", subject, text, now));
      MJ_TRY(
          tx.exec("UPDATE domains SET renewal_notice_for = ?, renewal_notice_days = ? WHERE "
                  "id = ?",
                  {expires, days, id}));
      return true;
    });
    if (!sent.ok())
      spdlog::warn("billing: renewal notice of domain {}: {}", id, sent.error().message);
    else if (*sent)
      ++report.domain_notices;
  }
  return {};
}

}  // namespace mailjuke::core::billing
