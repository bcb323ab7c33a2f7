// Ledger reads: balances, entry pages and the invariant check.
#include "core/billing/ledger.h"

#include <charconv>
#include <limits>

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
        "SELECT e.id, e.seq, e.transaction_id, t.kind, t.memo, e.side, e.amount, e.created_at FROM "
        "ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id WHERE "
        "e.account_id = ? AND e.seq < ?";
    int64_t before = std::numeric_limits<int64_t>::max();
    if (cursor) {
      auto [end, ec] = std::from_chars(cursor->data(), cursor->data() + cursor->size(), before);
      if (ec != std::errc() || end != cursor->data() + cursor->size() || before < 1)
        return Error::invalid("cursor", "not a cursor from a previous page");
    }
    store::Params params{walletAccountId(workspace_id, currency), before};
    // `limit` is a validated int, formatted rather than bound.
    sql += " ORDER BY e.seq DESC LIMIT " + std::to_string(limit + 1);
    MJ_TRY_ASSIGN(auto rows, tx.query(sql, params));
    EntryPage page;
    for (size_t i = 0; i < rows.size() && i < size_t(limit); ++i) {
      const auto& r = rows[i];
      page.entries.push_back({r.text(0), r.integer(1), r.text(2), r.text(3), r.text(4),
                              r.text(5) == "debit" ? Side::kDebit : Side::kCredit, r.integer(6),
                              r.integer(7)});
    }
    if (rows.size() > size_t(limit)) page.next_cursor = std::to_string(page.entries.back().seq);
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
    MJ_TRY_ASSIGN(auto seqs,
                  tx.queryOne("SELECT a.id FROM ledger_accounts a LEFT JOIN ledger_entries e ON "
                              "e.account_id = a.id WHERE a.kind = 'wallet' GROUP BY a.id, "
                              "a.entry_count HAVING COUNT(e.id) <> a.entry_count OR "
                              "COUNT(e.seq) <> a.entry_count OR COALESCE(MAX(e.seq), 0) <> "
                              "a.entry_count LIMIT 1"));
    if (seqs) return Error::internal("wallet " + seqs->text(0) + " entry sequence has gaps");
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
