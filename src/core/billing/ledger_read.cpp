// Ledger reads: balances, entry pages and the invariant check.
#include "core/billing/ledger.h"

namespace mailjuke::core::billing {

Result<int64_t> Ledger::balance(const std::string& workspace_id, const std::string& currency) {
  return ctx_.db.read<int64_t>([&](store::Tx& tx) -> Result<int64_t> {
    MJ_TRY_ASSIGN(auto row, tx.queryOne("SELECT balance FROM ledger_accounts WHERE id = ?",
                                        {walletAccountId(workspace_id, currency)}));
    return row ? row->integer(0) : 0;
  });
}

Result<EntryPage> Ledger::entries(const std::string& workspace_id, const std::string& currency,
                                  const std::optional<std::string>& cursor, int limit) {
  if (limit < 1 || limit > 500) return Error::invalid("limit", "between 1 and 500");
  return ctx_.db.read<EntryPage>([&](store::Tx& tx) -> Result<EntryPage> {
    std::string sql =
        "SELECT e.id, e.transaction_id, t.kind, t.memo, e.side, e.amount, e.created_at FROM "
        "ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id WHERE "
        "e.account_id = ?";
    store::Params params{walletAccountId(workspace_id, currency)};
    if (cursor) {
      sql += " AND e.id < ?";
      params.push_back(*cursor);
    }
    // `limit` is a validated int, formatted rather than bound.
    sql += " ORDER BY e.id DESC LIMIT " + std::to_string(limit + 1);
    MJ_TRY_ASSIGN(auto rows, tx.query(sql, params));
    EntryPage page;
    for (size_t i = 0; i < rows.size() && i < size_t(limit); ++i) {
      const auto& r = rows[i];
      page.entries.push_back({r.text(0), r.text(1), r.text(2), r.text(3),
                              r.text(4) == "debit" ? Side::kDebit : Side::kCredit, r.integer(5),
                              r.integer(6)});
    }
    if (rows.size() > size_t(limit)) page.next_cursor = page.entries.back().id;
    return page;
  });
}

Status Ledger::checkInvariants() {
  return ctx_.db.run(store::TxMode::kRead, [&](store::Tx& tx) -> Status {
    MJ_TRY_ASSIGN(auto currencies,
                  tx.query("SELECT currency, COALESCE(SUM(CASE WHEN side = 'debit' THEN amount "
                           "ELSE 0 END), 0), COALESCE(SUM(CASE WHEN side = 'credit' THEN amount "
                           "ELSE 0 END), 0) FROM ledger_entries GROUP BY currency"));
    for (const auto& r : currencies)
      if (r.integer(1) != r.integer(2))
        return Error::internal("ledger unbalanced in " + r.text(0) + ": debits " + r.text(1) +
                               " credits " + r.text(2));
    MJ_TRY_ASSIGN(
        auto txn,
        tx.queryOne("SELECT t.id FROM ledger_transactions t JOIN ledger_entries e ON "
                    "e.transaction_id = t.id GROUP BY t.id, t.amount HAVING SUM(CASE WHEN e.side "
                    "= 'debit' THEN e.amount ELSE -e.amount END) <> 0 OR SUM(CASE WHEN e.side = "
                    "'debit' THEN e.amount ELSE 0 END) <> t.amount LIMIT 1"));
    if (txn) return Error::internal("ledger transaction " + txn->text(0) + " unbalanced");
    MJ_TRY_ASSIGN(auto mixed, tx.queryOne("SELECT e.id FROM ledger_entries e JOIN ledger_accounts "
                                          "a ON a.id = e.account_id JOIN ledger_transactions t "
                                          "ON t.id = e.transaction_id WHERE e.currency <> "
                                          "a.currency OR e.currency <> t.currency LIMIT 1"));
    if (mixed) return Error::internal("ledger entry " + mixed->text(0) + " mixes currencies");
    MJ_TRY_ASSIGN(auto wallets,
                  tx.query("SELECT a.id, a.balance, COALESCE(SUM(CASE WHEN e.side = 'credit' "
                           "THEN e.amount ELSE -e.amount END), 0) FROM ledger_accounts a LEFT "
                           "JOIN ledger_entries e ON e.account_id = a.id WHERE a.kind = 'wallet' "
                           "GROUP BY a.id, a.balance"));
    for (const auto& r : wallets) {
      if (r.integer(1) != r.integer(2))
        return Error::internal("wallet " + r.text(0) + " caches " + r.text(1) +
                               " but its entries sum to " + r.text(2));
      if (r.integer(1) < 0) return Error::internal("wallet " + r.text(0) + " below zero");
    }
    return {};
  });
}

}  // namespace mailjuke::core::billing
