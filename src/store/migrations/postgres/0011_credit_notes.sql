-- Credit notes for finalised invoices (issue 6, docs/billing.md "Credit notes") and the wallet's
-- auto top-up. A credit note is immutable once issued, like a finalised invoice (0010): the
-- database refuses any UPDATE or DELETE of it and of its lines.

CREATE TABLE credit_notes (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  invoice_id TEXT NOT NULL REFERENCES invoices(id),
  number TEXT NOT NULL UNIQUE,  -- e.g. MJCN-2026-000001, gapless per series, set at issue
  reason TEXT NOT NULL,
  currency TEXT NOT NULL,
  total BIGINT NOT NULL CHECK (total > 0),
  -- wallet: the invoice was paid, the credit went to the wallet (ledger_transaction_id);
  -- amount_due: the invoice was open, the credit reduced what is due.
  settlement TEXT NOT NULL CHECK (settlement IN ('wallet', 'amount_due')),
  ledger_transaction_id TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX credit_notes_workspace ON credit_notes(workspace_id, id);
CREATE INDEX credit_notes_invoice ON credit_notes(invoice_id);

CREATE TABLE credit_note_lines (
  id TEXT PRIMARY KEY,
  credit_note_id TEXT NOT NULL REFERENCES credit_notes(id),
  position INTEGER NOT NULL,
  description TEXT NOT NULL,
  amount BIGINT NOT NULL CHECK (amount > 0),
  UNIQUE (credit_note_id, position)
);

-- Auto top-up of the wallet when a charge leaves it below the threshold.
CREATE TABLE wallet_auto_top_ups (
  workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id),
  enabled INTEGER NOT NULL DEFAULT 0,
  threshold BIGINT NOT NULL CHECK (threshold >= 0),
  amount BIGINT NOT NULL CHECK (amount > 0),
  payment_method TEXT NOT NULL,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  last_trigger TEXT,  -- the ledger transaction that last triggered a top-up (once per trigger)
  last_payment_id TEXT,
  disabled_reason TEXT,
  updated_at BIGINT NOT NULL
);

CREATE FUNCTION credit_notes_immutable() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'credit note is issued and immutable';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER credit_notes_immutable BEFORE UPDATE OR DELETE ON credit_notes
FOR EACH ROW EXECUTE FUNCTION credit_notes_immutable();
CREATE TRIGGER credit_note_lines_immutable BEFORE UPDATE OR DELETE ON credit_note_lines
FOR EACH ROW EXECUTE FUNCTION credit_notes_immutable();
