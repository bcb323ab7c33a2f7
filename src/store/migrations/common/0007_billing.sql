-- Billing money core: a double-entry ledger in integer minor units, and gapless invoice series.
--
-- Accounts: one wallet per (workspace, currency) (credit-normal: what MailJuke owes the
-- customer), and per currency the platform accounts cash_clearing (money received from the
-- payment provider), revenue and refunds. Entries are immutable and grouped in transactions whose
-- debits equal their credits; corrections are new transactions reversing old ones.
-- ledger_accounts.balance is cached for wallets only (credits - debits), updated under a row
-- lock in the posting transaction and never below zero, and each wallet entry gets the next
-- per-wallet seq under the same lock; platform accounts are summed from their
-- entries (no hot row shared by every charge).
CREATE TABLE ledger_accounts (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('wallet', 'cash_clearing', 'revenue', 'refunds')),
  workspace_id TEXT REFERENCES workspaces(id),
  currency TEXT NOT NULL,
  balance BIGINT NOT NULL DEFAULT 0 CHECK (kind <> 'wallet' OR balance >= 0),
  entry_count BIGINT NOT NULL DEFAULT 0,  -- wallets: the last entry's seq
  created_at BIGINT NOT NULL
);
CREATE INDEX ledger_accounts_workspace ON ledger_accounts(workspace_id);

CREATE TABLE ledger_transactions (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,  -- top_up | charge | refund | reversal | ...
  workspace_id TEXT REFERENCES workspaces(id),
  currency TEXT NOT NULL,
  amount BIGINT NOT NULL CHECK (amount > 0),  -- the sum of the debits (= the sum of the credits)
  memo TEXT NOT NULL DEFAULT '',
  idempotency_key TEXT UNIQUE,
  fingerprint TEXT NOT NULL,  -- the request a key was first used with
  reverses_id TEXT UNIQUE REFERENCES ledger_transactions(id),
  created_at BIGINT NOT NULL
);
CREATE INDEX ledger_transactions_workspace ON ledger_transactions(workspace_id, id);

CREATE TABLE ledger_entries (
  id TEXT PRIMARY KEY,
  transaction_id TEXT NOT NULL REFERENCES ledger_transactions(id),
  account_id TEXT NOT NULL REFERENCES ledger_accounts(id),
  currency TEXT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('debit', 'credit')),
  amount BIGINT NOT NULL CHECK (amount > 0),
  seq BIGINT,  -- wallets: 1, 2, … in commit order (the statement's order and cursor)
  created_at BIGINT NOT NULL,
  UNIQUE (account_id, seq)
);
CREATE INDEX ledger_entries_account ON ledger_entries(account_id, id);
CREATE INDEX ledger_entries_transaction ON ledger_entries(transaction_id);

-- One row per invoice series (e.g. "MJ-2026"); last_number is incremented inside the transaction
-- that finalises an invoice, so a rolled-back finalisation gives its number back (gapless).
CREATE TABLE invoice_series (
  series TEXT PRIMARY KEY,
  last_number BIGINT NOT NULL DEFAULT 0
);
