// The wallet's double-entry ledger (DESIGN.md, security-and-money.md "Money"): integer minor
// units per ISO currency, immutable entries grouped in balanced transactions, corrections by
// reversal, and a wallet that never goes below zero — also under concurrent charges (the wallet
// row is locked with FOR UPDATE on PostgreSQL; SQLite write transactions are serialised).
//
// Account layout per currency: wallet:<workspace> (credit-normal, the customer's credit),
// cash_clearing and refunds (platform, debit-normal), revenue (platform, credit-normal).
//   top-up   : debit cash_clearing, credit wallet
//   charge   : debit wallet,        credit revenue
//   refund   : debit wallet,        credit refunds   (unused credit paid back to the customer)
//   reversal : every entry of the original with its side swapped
//
// Thread-safety: a Ledger holds no state of its own and may be shared. Calls block on SQL: run
// them on the worker pool. No UPDATE or DELETE of entries or transactions exists anywhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/context.h"

namespace mailjuke::core::billing {

enum class Side { kDebit, kCredit };

struct Leg {
  std::string account_id;
  Side side = Side::kDebit;
  int64_t amount = 0;  // minor units, > 0
};

struct NewTransaction {
  std::string kind;  // top_up, charge, refund, ...
  std::string currency;
  std::optional<std::string> workspace_id;
  std::optional<std::string> idempotency_key;  // same key + same request → the first result
  std::string memo;
  std::vector<Leg> legs;
  std::optional<std::string> reverses_id;  // set by reverse()
};

struct Entry {
  std::string id;
  int64_t seq = 0;  // 1, 2, … per wallet in commit order
  std::string transaction_id;
  std::string kind;  // of the transaction
  std::string memo;
  Side side = Side::kDebit;
  int64_t amount = 0;
  int64_t created_at = 0;
};

struct EntryPage {
  std::vector<Entry> entries;              // newest first (descending seq)
  std::optional<std::string> next_cursor;  // opaque: the last entry's seq
};

// Account ids (deterministic, created on first use).
std::string walletAccountId(const std::string& workspace_id, const std::string& currency);
std::string platformAccountId(const std::string& kind, const std::string& currency);

class Ledger {
 public:
  explicit Ledger(CoreContext& ctx) : ctx_(ctx) {}

  // Posts inside the caller's transaction (e.g. with an invoice being finalised). Refuses
  // unbalanced or empty transactions (kInvalid) and any wallet going below zero
  // (kPaymentRequired). With an idempotency key already used: the first transaction's id when
  // the request is the same, kInvalid (422) when it differs.
  Result<std::string> post(store::Tx& tx, const NewTransaction& t);
  Result<std::string> post(const NewTransaction& t);
  // Creates the workspace's wallet and the platform accounts of `currency` when missing, so
  // post(tx, …) can name them.
  Status ensureWorkspaceAccounts(store::Tx& tx, const std::string& workspace_id,
                                 const std::string& currency);

  Result<std::string> topUp(const std::string& workspace_id, const std::string& currency,
                            int64_t amount, const std::optional<std::string>& key = {});
  Result<std::string> charge(const std::string& workspace_id, const std::string& currency,
                             int64_t amount, const std::string& memo,
                             const std::optional<std::string>& key = {});
  Result<std::string> refund(const std::string& workspace_id, const std::string& currency,
                             int64_t amount, const std::optional<std::string>& key = {});
  // A new transaction with every entry of `transaction_id` swapped; a transaction is reversed at
  // most once (kConflict) and reversals are not reversed again (post the original anew).
  Result<std::string> reverse(const std::string& transaction_id, const std::string& memo,
                              const std::optional<std::string>& key = {});

  Result<int64_t> balance(const std::string& workspace_id, const std::string& currency);
  Result<EntryPage> entries(const std::string& workspace_id, const std::string& currency,
                            const std::optional<std::string>& cursor, int limit = 50);

  // Σdebits = Σcredits per currency and per transaction; every wallet's cached balance equals
  // the sum of its entries and is ≥ 0. kInternal naming the first violation.
  Status checkInvariants();

 private:
  Status ensureAccount(store::Tx& tx, const std::string& id, const std::string& kind,
                       const std::optional<std::string>& workspace_id, const std::string& currency);
  Result<std::string> postWorkspace(const std::string& kind, const std::string& workspace_id,
                                    const std::string& currency, int64_t amount,
                                    const std::string& from, const std::string& to,
                                    const std::string& memo, const std::optional<std::string>& key);

  CoreContext& ctx_;
};

}  // namespace mailjuke::core::billing
