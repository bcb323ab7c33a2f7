#include "core/privacy/legal_hold.h"

#include <algorithm>

#include "base/ids.h"

namespace mailjuke::core::privacy {

int64_t legalRetentionYears(const PrivacySettings& settings, std::string_view country) {
  auto it = settings.legal_retention_by_country.find(std::string(country));
  return it == settings.legal_retention_by_country.end() ? settings.legal_retention_years
                                                         : it->second;
}

Result<bool> hasBooks(store::Tx& tx, const std::string& ws) {
  for (const char* table : {"ledger_accounts", "ledger_transactions", "invoices", "payments",
                            "credit_notes", "subscriptions", "refunds"}) {
    MJ_TRY_ASSIGN(
        auto row,
        tx.queryOne(std::string("SELECT 1 FROM ") + table + " WHERE workspace_id = ?", {ws}));
    if (row) return true;
  }
  return false;
}

Result<std::optional<int64_t>> holdWorkspaceBooks(store::Tx& tx, const PrivacySettings& settings,
                                                  const std::string& ws, std::string_view reason,
                                                  int64_t now) {
  MJ_TRY_ASSIGN(bool books, hasBooks(tx, ws));
  if (!books) return std::optional<int64_t>();
  int64_t until = now;
  // The law the books were kept under: the seller's country on the latest invoice.
  MJ_TRY_ASSIGN(auto latest, tx.queryOne("SELECT seller_country FROM invoices WHERE workspace_id "
                                         "= ? AND status <> 'draft' ORDER BY finalized_at DESC "
                                         "LIMIT 1",
                                         {ws}));
  int64_t books_years = legalRetentionYears(settings, latest ? latest->text(0) : "");
  MJ_TRY_ASSIGN(auto invoices, tx.query("SELECT id, COALESCE(finalized_at, created_at), "
                                        "seller_country, purge_after FROM invoices WHERE "
                                        "workspace_id = ? AND status <> 'draft'",
                                        {ws}));
  for (const auto& r : invoices) {
    int64_t due = r.integer(1) + legalRetentionYears(settings, r.text(2)) * kLegalYearSeconds;
    if (!r.isNull(3)) {
      due = std::max(due, r.integer(3));  // never shortened (the trigger agrees)
    } else {
      MJ_TRY(tx.exec("UPDATE invoices SET purge_after = ? WHERE id = ?", {due, r.text(0)}));
    }
    until = std::max(until, due);
  }
  MJ_TRY_ASSIGN(auto notes, tx.query("SELECT c.id, c.created_at, i.seller_country, c.purge_after "
                                     "FROM credit_notes c JOIN invoices i ON i.id = c.invoice_id "
                                     "WHERE c.workspace_id = ?",
                                     {ws}));
  for (const auto& r : notes) {
    int64_t due = r.integer(1) + legalRetentionYears(settings, r.text(2)) * kLegalYearSeconds;
    if (!r.isNull(3)) {
      due = std::max(due, r.integer(3));  // never shortened (the trigger agrees)
    } else {
      MJ_TRY(tx.exec("UPDATE credit_notes SET purge_after = ? WHERE id = ?", {due, r.text(0)}));
    }
    until = std::max(until, due);
  }
  for (const char* sql :
       {"SELECT MAX(created_at) FROM ledger_transactions WHERE workspace_id = ?",
        "SELECT MAX(e.created_at) FROM ledger_entries e JOIN ledger_accounts a ON a.id = "
        "e.account_id WHERE a.workspace_id = ?",
        "SELECT MAX(created_at) FROM payments WHERE workspace_id = ?",
        "SELECT MAX(created_at) FROM refunds WHERE workspace_id = ?"}) {
    MJ_TRY_ASSIGN(auto row, tx.queryOne(sql, {ws}));
    if (row && !row->isNull(0))
      until = std::max(until, row->integer(0) + books_years * kLegalYearSeconds);
  }
  MJ_TRY_ASSIGN(auto hold, tx.queryOne("SELECT id, purge_after FROM legal_holds WHERE scope = "
                                       "'workspace' AND scope_id = ? AND purged_at IS NULL",
                                       {ws}));
  if (hold) {
    until = std::max(until, hold->integer(1));
    MJ_TRY(tx.exec("UPDATE legal_holds SET purge_after = ? WHERE id = ?", {until, hold->text(0)}));
  } else {
    MJ_TRY(
        tx.exec("INSERT INTO legal_holds (id, scope, scope_id, reason, purge_after, created_at) "
                "VALUES (?, 'workspace', ?, ?, ?, ?)",
                {newId("lgh"), ws, std::string(reason), until, now}));
  }
  return std::optional<int64_t>(until);
}

Result<int64_t> purgeWorkspaceBooks(store::Tx& tx, const std::string& ws, int64_t now) {
  // The purge clock: set for this transaction only (reset below, before the commit).
  MJ_TRY(tx.exec("UPDATE legal_purge_clock SET purging_at = ? WHERE id = 1", {now}));
  int64_t n = 0;
  auto run = [&](const std::string& sql) -> Status {
    MJ_TRY_ASSIGN(int64_t k, tx.exec(sql, {ws}));
    n += k;
    return {};
  };
  const std::string payments = "(SELECT id FROM payments WHERE workspace_id = ?)";
  MJ_TRY(run("DELETE FROM fraud_reviews WHERE payment_id IN " + payments));
  MJ_TRY(run("DELETE FROM refunds WHERE payment_id IN " + payments));
  MJ_TRY(run("DELETE FROM fraud_reviews WHERE workspace_id = ?"));
  MJ_TRY(run("DELETE FROM refunds WHERE workspace_id = ?"));
  MJ_TRY(run("DELETE FROM payments WHERE workspace_id = ?"));
  MJ_TRY(
      run("DELETE FROM credit_note_lines WHERE credit_note_id IN (SELECT id FROM "
          "credit_notes WHERE workspace_id = ?)"));
  MJ_TRY(run("DELETE FROM credit_notes WHERE workspace_id = ?"));
  MJ_TRY(
      run("DELETE FROM invoice_lines WHERE invoice_id IN (SELECT id FROM invoices WHERE "
          "workspace_id = ?)"));
  MJ_TRY(run("DELETE FROM invoices WHERE workspace_id = ?"));
  MJ_TRY(run("DELETE FROM subscriptions WHERE workspace_id = ?"));
  MJ_TRY(run("DELETE FROM billing_details WHERE workspace_id = ?"));
  MJ_TRY(run("DELETE FROM wallet_auto_top_ups WHERE workspace_id = ?"));
  MJ_TRY(run("DELETE FROM billing_customers WHERE workspace_id = ?"));
  // Whole transactions: the workspace's own and any other that moved money on its wallets.
  MJ_TRY_ASSIGN(auto txs, tx.query("SELECT id FROM ledger_transactions WHERE workspace_id = ? "
                                   "UNION SELECT e.transaction_id FROM ledger_entries e JOIN "
                                   "ledger_accounts a ON a.id = e.account_id WHERE "
                                   "a.workspace_id = ?",
                                   {ws, ws}));
  for (const auto& t : txs) {
    const std::string id = t.text(0);
    MJ_TRY(
        tx.exec("UPDATE ledger_transactions SET reverses_id = NULL WHERE reverses_id = ?", {id}));
    MJ_TRY_ASSIGN(int64_t e, tx.exec("DELETE FROM ledger_entries WHERE transaction_id = ?", {id}));
    MJ_TRY_ASSIGN(int64_t k, tx.exec("DELETE FROM ledger_transactions WHERE id = ?", {id}));
    n += e + k;
  }
  MJ_TRY(run("DELETE FROM ledger_accounts WHERE workspace_id = ?"));
  MJ_TRY(tx.exec("UPDATE legal_purge_clock SET purging_at = 0 WHERE id = 1"));
  return n;
}

}  // namespace mailjuke::core::privacy
