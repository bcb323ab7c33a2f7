-- Refunds of card payments (issue 6, docs/billing.md "Refunds"): by an operator, by the customer
-- (unused wallet credit) or seen only at the provider (a charge.refunded webhook for money we
-- did not send back ourselves). The ledger moves the money out of the wallet in the transaction
-- that inserts the row (status pending), before the provider is asked, so a refund can never
-- take more than the wallet holds and a webhook for it never subtracts a second time.
CREATE TABLE refunds (
  id TEXT PRIMARY KEY,
  payment_id TEXT NOT NULL REFERENCES payments(id),
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  amount BIGINT NOT NULL CHECK (amount > 0),
  currency TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('operator', 'customer', 'provider')),
  reason TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  provider_ref TEXT,
  failure_code TEXT,
  ledger_transaction_id TEXT,
  requested_by TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX refunds_payment ON refunds(payment_id);
CREATE INDEX refunds_workspace ON refunds(workspace_id, created_at);
