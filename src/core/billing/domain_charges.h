// Domain purchases and renewals paid from the workspace wallet (docs/billing.md "Domains"), and
// the trial credit of new workspaces. Every function runs inside the caller's write transaction,
// so the domain row and its payment commit or roll back together.
#pragma once

#include <cstdint>
#include <string>

#include "core/context.h"

namespace mailjuke::core::billing {

struct DomainCharge {
  std::string domain_id, name;
  int64_t amount = 0;  // minor units, the yearly price
  int years = 1;
  std::string reason;  // domain_purchase | domain_renewal
  int64_t period_start = 0, period_end = 0;
};

struct ChargedInvoice {
  std::string invoice_id, number, ledger_transaction_id;
};

// 402 naming the price, the balance and the top-up path when the wallet holds less than
// `amount`. A cheap check before slow work (the registrar); charge() is the authoritative one.
Status checkWalletCovers(store::Tx& tx, const BillingSettings& s, const std::string& ws,
                         const std::string& name, int64_t amount);
// Creates, finalises and pays from the wallet an invoice with one line for the domain: the
// ledger entry (wallet → revenue) names the domain. 402 as above when the wallet is short.
Result<ChargedInvoice> chargeDomain(store::Tx& tx, CoreContext& ctx, const std::string& ws,
                                    const DomainCharge& c, int64_t now);
// Credits billingOptions().trial_credit (if any) to a new workspace's wallet.
Status grantTrialCredit(store::Tx& tx, CoreContext& ctx, const std::string& ws);

}  // namespace mailjuke::core::billing
