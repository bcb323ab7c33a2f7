#include "core/billing/domain_charges.h"

#include "core/billing/billing_options.h"
#include "core/billing/invoices.h"
#include "core/billing/ledger.h"

namespace mailjuke::core::billing {
namespace {

Result<int64_t> walletBalance(store::Tx& tx, const std::string& ws, const std::string& cur) {
  MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT balance FROM ledger_accounts WHERE id = ?",
                                      {walletAccountId(ws, cur)}));
  return row ? row->integer(0) : 0;
}

Error shortOfMoney(const std::string& ws, const std::string& name, const std::string& cur,
                   int64_t price, int64_t balance) {
  std::string path = "/api/v1/workspaces/" + ws + "/wallet/top-ups";
  Error e = Error::make(ErrorCode::kPaymentRequired,
                        name + " costs " + std::to_string(price) + " " + cur +
                            " (minor units) per year and the wallet holds " +
                            std::to_string(balance) + ": top up at least " +
                            std::to_string(price - balance) + " with POST " + path);
  e.fields.push_back({"wallet", "insufficient balance: " + std::to_string(balance) + " of " +
                                    std::to_string(price) + " needed; top up with POST " + path});
  return e;
}

}  // namespace

Status checkWalletCovers(store::Tx& tx, const BillingSettings& s, const std::string& ws,
                         const std::string& name, int64_t amount) {
  if (amount <= 0) return {};
  MJ_TRY_ASSIGN(int64_t balance, walletBalance(tx, ws, s.currency));
  if (balance < amount) return shortOfMoney(ws, name, s.currency, amount, balance);
  return {};
}

Result<ChargedInvoice> chargeDomain(store::Tx& tx, CoreContext& ctx, const std::string& ws,
                                    const DomainCharge& c, int64_t now) {
  const auto& s = ctx.settings.billing;
  const std::string& cur = s.currency;
  Ledger ledger(ctx);
  DraftInvoice d{ws, std::nullopt, c.reason, cur, c.period_start, c.period_end, {}};
  std::string what = c.reason == "domain_renewal" ? "Domain renewal " : "Domain registration ";
  d.lines.push_back(
      {what + c.name + " (" + std::to_string(c.years) + (c.years == 1 ? " year)" : " years)"), 1,
       c.amount, false, c.period_start, c.period_end});
  MJ_TRY_ASSIGN(std::string inv, createDraft(tx, d, now));
  MJ_TRY_ASSIGN(std::string number, finalise(tx, s, inv, now));
  ChargedInvoice out{inv, number, ""};
  if (c.amount <= 0) {
    MJ_TRY(markPaid(tx, inv, "none", std::nullopt, now));
    return out;
  }
  MJ_TRY(ledger.ensureWorkspaceAccounts(tx, ws, cur));
  NewTransaction t{"charge",
                   cur,
                   ws,
                   "dom:" + c.reason + ":" + c.domain_id + ":" + std::to_string(c.period_start),
                   (c.reason == "domain_renewal" ? "domain renewal " : "domain ") + c.name +
                       " (invoice " + number + ")",
                   {},
                   {}};
  t.legs.push_back({walletAccountId(ws, cur), Side::kDebit, c.amount});
  t.legs.push_back({platformAccountId("revenue", cur), Side::kCredit, c.amount});
  auto txn = ledger.post(tx, t);
  if (!txn.ok() && txn.error().code == ErrorCode::kPaymentRequired) {
    MJ_TRY_ASSIGN(int64_t balance, walletBalance(tx, ws, cur));
    return shortOfMoney(ws, c.name, cur, c.amount, balance);
  }
  if (!txn.ok()) return std::move(txn).error();
  out.ledger_transaction_id = *txn;
  MJ_TRY(markPaid(tx, inv, "wallet", *txn, now));
  return out;
}

Status grantTrialCredit(store::Tx& tx, CoreContext& ctx, const std::string& ws) {
  const auto& s = ctx.settings.billing;
  int64_t amount = billingOptions().trial_credit;
  if (amount <= 0) return {};
  Ledger ledger(ctx);
  MJ_TRY(ledger.ensureWorkspaceAccounts(tx, ws, s.currency));
  NewTransaction t{"credit", s.currency, ws, "trial:" + ws, "trial credit", {}, {}};
  t.legs.push_back({platformAccountId("revenue", s.currency), Side::kDebit, amount});
  t.legs.push_back({walletAccountId(ws, s.currency), Side::kCredit, amount});
  MJ_TRY(ledger.post(tx, t));
  return {};
}

}  // namespace mailjuke::core::billing
