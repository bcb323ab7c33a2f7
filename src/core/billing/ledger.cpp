#include "core/billing/ledger.h"

#include <map>

#include "base/ids.h"

namespace mailjuke::core::billing {
namespace {

// Far above any real amount, far below overflow when thousands are summed.
constexpr int64_t kMaxAmount = int64_t(1) << 50;

bool validCurrency(const std::string& c) {
  if (c.size() != 3) return false;
  for (char ch : c)
    if (ch < 'A' || ch > 'Z') return false;
  return true;
}

const char* sideName(Side s) { return s == Side::kDebit ? "debit" : "credit"; }

std::string fingerprint(const NewTransaction& t) {
  std::string f = t.kind + "|" + t.currency + "|" + t.workspace_id.value_or("") + "|" +
                  t.reverses_id.value_or("") + "|" + t.memo;
  for (const auto& l : t.legs)
    f += "|" + l.account_id + ":" + sideName(l.side) + ":" + std::to_string(l.amount);
  return f;
}

}  // namespace

std::string walletAccountId(const std::string& workspace_id, const std::string& currency) {
  return "lac_wallet_" + currency + "_" + workspace_id;
}

std::string platformAccountId(const std::string& kind, const std::string& currency) {
  return "lac_" + kind + "_" + currency;
}

Status Ledger::ensureAccount(store::Tx& tx, const std::string& id, const std::string& kind,
                             const std::optional<std::string>& workspace_id,
                             const std::string& currency) {
  MJ_TRY(
      tx.exec("INSERT INTO ledger_accounts (id, kind, workspace_id, currency, balance, created_at) "
              "VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT (id) DO NOTHING",
              {id, kind, store::nullable(workspace_id), currency, ctx_.clock.nowSeconds()}));
  return {};
}

Result<std::string> Ledger::post(store::Tx& tx, const NewTransaction& t) {
  if (!validCurrency(t.currency)) return Error::invalid("currency", "not an ISO 4217 code");
  if (t.legs.size() < 2) return Error::invalid("legs", "a transaction needs at least two legs");
  int64_t debits = 0, credits = 0;
  std::map<std::string, int64_t> net;  // per account: credits - debits, in id order (lock order)
  for (const auto& l : t.legs) {
    if (l.amount <= 0 || l.amount > kMaxAmount)
      return Error::invalid("amount", "amounts are positive integers in minor units");
    (l.side == Side::kDebit ? debits : credits) += l.amount;
    net[l.account_id] += l.side == Side::kCredit ? l.amount : -l.amount;
  }
  if (debits != credits)
    return Error::invalid("legs", "unbalanced: debits " + std::to_string(debits) + " != credits " +
                                      std::to_string(credits));
  // Lock the wallets first (in account id order: no deadlocks), then look the key up: a
  // concurrent request with the same key waits for the lock and then sees the first one's
  // committed transaction (read committed re-reads per statement), so it replays.
  struct Wallet {
    int64_t balance = 0;
    int64_t entry_count = 0;
  };
  std::map<std::string, Wallet> wallets;
  for (const auto& [account, delta] : net) {
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT kind, currency FROM ledger_accounts WHERE id = ?",
                                        {account}));
    if (!row) return Error::notFound("ledger account " + account);
    if (row->text(1) != t.currency)
      return Error::invalid("currency", "account " + account + " is in " + row->text(1));
    if (row->text(0) != "wallet") continue;  // platform rows are never locked (no hot row)
    MJ_TRY_ASSIGN(auto locked, tx.queryOne(std::string("SELECT balance, entry_count FROM "
                                                       "ledger_accounts WHERE id = ?") +
                                               tx.forUpdate(),
                                           {account}));
    if (!locked) return Error::notFound("ledger account " + account);
    wallets[account] = {locked->integer(0), locked->integer(1)};
  }
  std::string print = fingerprint(t);
  if (t.idempotency_key) {
    MJ_TRY_ASSIGN(auto seen, tx.queryOne("SELECT id, fingerprint FROM ledger_transactions WHERE "
                                         "idempotency_key = ?",
                                         {*t.idempotency_key}));
    if (seen) {
      if (seen->text(1) != print)
        return Error::invalid("idempotency_key", "reused with a different request");
      return seen->text(0);
    }
  }
  for (auto& [account, w] : wallets) {
    if (w.balance + net[account] < 0)
      return Error::make(ErrorCode::kPaymentRequired, "insufficient wallet balance: " +
                                                          std::to_string(w.balance) + " available");
    w.balance += net[account];
  }
  int64_t now = ctx_.clock.nowSeconds();
  std::string id = newId("ltx");
  MJ_TRY(
      tx.exec("INSERT INTO ledger_transactions (id, kind, workspace_id, currency, amount, memo, "
              "idempotency_key, fingerprint, reverses_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
              "?, ?, ?)",
              {id, t.kind, store::nullable(t.workspace_id), t.currency, debits, t.memo,
               store::nullable(t.idempotency_key), print, store::nullable(t.reverses_id), now}));
  for (const auto& l : t.legs) {
    MJ_TRY(tx.exec(
        "INSERT INTO ledger_entries (id, transaction_id, account_id, currency, side, amount, seq, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        {newId("len"), id, l.account_id, t.currency, std::string(sideName(l.side)), l.amount,
         wallets.count(l.account_id) ? store::Value(++wallets[l.account_id].entry_count)
                                     : store::Value(nullptr),
         now}));
  }
  for (const auto& [account, w] : wallets)
    MJ_TRY(tx.exec("UPDATE ledger_accounts SET balance = ?, entry_count = ? WHERE id = ?",
                   {w.balance, w.entry_count, account}));
  return id;
}

Status Ledger::ensureWorkspaceAccounts(store::Tx& tx, const std::string& workspace_id,
                                       const std::string& currency) {
  if (!validCurrency(currency)) return Error::invalid("currency", "not an ISO 4217 code");
  MJ_TRY(
      ensureAccount(tx, walletAccountId(workspace_id, currency), "wallet", workspace_id, currency));
  for (const char* platform : {"cash_clearing", "revenue", "refunds"})
    MJ_TRY(ensureAccount(tx, platformAccountId(platform, currency), platform, {}, currency));
  return {};
}

Result<std::string> Ledger::post(const NewTransaction& t) {
  return ctx_.db.write<std::string>([&](store::Tx& tx) { return post(tx, t); });
}

Result<std::string> Ledger::postWorkspace(const std::string& kind, const std::string& workspace_id,
                                          const std::string& currency, int64_t amount,
                                          const std::string& from, const std::string& to,
                                          const std::string& memo,
                                          const std::optional<std::string>& key) {
  if (!validCurrency(currency)) return Error::invalid("currency", "not an ISO 4217 code");
  return ctx_.db.write<std::string>([&](store::Tx& tx) -> Result<std::string> {
    std::string wallet = walletAccountId(workspace_id, currency);
    MJ_TRY(ensureAccount(tx, wallet, "wallet", workspace_id, currency));
    for (const char* platform : {"cash_clearing", "revenue", "refunds"})
      MJ_TRY(ensureAccount(tx, platformAccountId(platform, currency), platform, {}, currency));
    auto resolve = [&](const std::string& a) {
      return a == "wallet" ? wallet : platformAccountId(a, currency);
    };
    NewTransaction t{kind, currency, workspace_id, key, memo, {}, {}};
    t.legs.push_back({resolve(from), Side::kDebit, amount});
    t.legs.push_back({resolve(to), Side::kCredit, amount});
    return post(tx, t);
  });
}

Result<std::string> Ledger::topUp(const std::string& workspace_id, const std::string& currency,
                                  int64_t amount, const std::optional<std::string>& key) {
  return postWorkspace("top_up", workspace_id, currency, amount, "cash_clearing", "wallet",
                       "wallet top-up", key);
}

Result<std::string> Ledger::charge(const std::string& workspace_id, const std::string& currency,
                                   int64_t amount, const std::string& memo,
                                   const std::optional<std::string>& key) {
  return postWorkspace("charge", workspace_id, currency, amount, "wallet", "revenue", memo, key);
}

Result<std::string> Ledger::refund(const std::string& workspace_id, const std::string& currency,
                                   int64_t amount, const std::optional<std::string>& key) {
  return postWorkspace("refund", workspace_id, currency, amount, "wallet", "refunds",
                       "unused credit refunded", key);
}

Result<std::string> Ledger::reverse(const std::string& transaction_id, const std::string& memo,
                                    const std::optional<std::string>& key) {
  return ctx_.db.write<std::string>([&](store::Tx& tx) -> Result<std::string> {
    // Locking the original serialises concurrent reversals of it.
    MJ_TRY_ASSIGN(auto orig, tx.queryOne(std::string("SELECT kind, workspace_id, currency FROM "
                                                     "ledger_transactions WHERE id = ?") +
                                             tx.forUpdate(),
                                         {transaction_id}));
    if (!orig) return Error::notFound("ledger transaction");
    if (orig->text(0) == "reversal")
      return Error::make(ErrorCode::kConflict, "a reversal is not reversed; post anew");
    MJ_TRY_ASSIGN(auto done, tx.queryOne("SELECT id, idempotency_key FROM ledger_transactions "
                                         "WHERE reverses_id = ?",
                                         {transaction_id}));
    if (done) {
      if (key && done->optText(1) == key) return done->text(0);
      return Error::make(ErrorCode::kConflict, "transaction already reversed by " + done->text(0));
    }
    NewTransaction t{"reversal", orig->text(2), orig->optText(1), key, memo, {}, transaction_id};
    MJ_TRY_ASSIGN(auto legs, tx.query("SELECT account_id, side, amount FROM ledger_entries WHERE "
                                      "transaction_id = ? ORDER BY id",
                                      {transaction_id}));
    for (const auto& r : legs)
      t.legs.push_back(
          {r.text(0), r.text(1) == "debit" ? Side::kCredit : Side::kDebit, r.integer(2)});
    return post(tx, t);
  });
}

}  // namespace mailjuke::core::billing
