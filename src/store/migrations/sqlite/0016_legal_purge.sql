-- Legal-period purge (docs/privacy.md "Legal holds and the purge"). Invoices and credit notes
-- kept restricted for the legal period (erased owners' and deleted workspaces' billing records)
-- get a purge_after, set once when the hold is placed and only ever moved later. The database
-- still refuses any change of finalised content and any DELETE, except a DELETE of a row whose
-- purge_after has passed by the purge clock: legal_purge_clock.purging_at is 0 except inside
-- the retention job's purge transaction, which sets it to its (injected) clock's now and back
-- to 0 before committing, so no other transaction ever sees it set.
ALTER TABLE invoices ADD COLUMN purge_after BIGINT;
ALTER TABLE credit_notes ADD COLUMN purge_after BIGINT;

CREATE TABLE legal_purge_clock (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  purging_at BIGINT NOT NULL DEFAULT 0
);
INSERT INTO legal_purge_clock (id, purging_at) VALUES (1, 0);

DROP TRIGGER invoices_final_update;
CREATE TRIGGER invoices_final_update BEFORE UPDATE ON invoices
WHEN OLD.status <> 'draft' AND (
  (OLD.status IN ('paid', 'void') AND (
    NEW.status IS NOT OLD.status OR NEW.id IS NOT OLD.id
    OR NEW.subscription_id IS NOT OLD.subscription_id OR NEW.paid_at IS NOT OLD.paid_at
    OR NEW.voided_at IS NOT OLD.voided_at OR NEW.paid_with IS NOT OLD.paid_with
    OR NEW.ledger_transaction_id IS NOT OLD.ledger_transaction_id
    OR NEW.created_at IS NOT OLD.created_at OR NEW.updated_at IS NOT OLD.updated_at))
  OR NEW.number IS NOT OLD.number OR NEW.total IS NOT OLD.total
  OR NEW.currency IS NOT OLD.currency OR NEW.workspace_id IS NOT OLD.workspace_id
  OR NEW.period_start IS NOT OLD.period_start OR NEW.period_end IS NOT OLD.period_end
  OR NEW.seller_name IS NOT OLD.seller_name OR NEW.seller_address IS NOT OLD.seller_address
  OR NEW.seller_country IS NOT OLD.seller_country OR NEW.seller_vat_id IS NOT OLD.seller_vat_id
  OR NEW.buyer_name IS NOT OLD.buyer_name OR NEW.buyer_address IS NOT OLD.buyer_address
  OR NEW.buyer_country IS NOT OLD.buyer_country OR NEW.buyer_vat_id IS NOT OLD.buyer_vat_id
  OR NEW.buyer_email IS NOT OLD.buyer_email OR NEW.reverse_charge IS NOT OLD.reverse_charge
  OR NEW.finalized_at IS NOT OLD.finalized_at OR NEW.reason IS NOT OLD.reason
  OR NEW.status NOT IN ('open', 'paid', 'void', 'uncollectible')
  OR (OLD.status = 'uncollectible' AND NEW.status NOT IN ('uncollectible', 'paid'))
  OR (NEW.purge_after IS NOT OLD.purge_after
      AND (NEW.purge_after IS NULL OR NEW.purge_after < OLD.purge_after)))
BEGIN
  SELECT RAISE(ABORT, 'invoice is finalised and immutable');
END;

DROP TRIGGER invoices_final_delete;
CREATE TRIGGER invoices_final_delete BEFORE DELETE ON invoices
WHEN OLD.status <> 'draft' AND NOT (OLD.purge_after IS NOT NULL
  AND OLD.purge_after <= (SELECT purging_at FROM legal_purge_clock WHERE id = 1))
BEGIN
  SELECT RAISE(ABORT, 'invoice is finalised and immutable');
END;

DROP TRIGGER invoice_lines_final_delete;
CREATE TRIGGER invoice_lines_final_delete BEFORE DELETE ON invoice_lines
WHEN (SELECT status FROM invoices WHERE id = OLD.invoice_id) <> 'draft'
  AND NOT COALESCE((SELECT purge_after IS NOT NULL AND purge_after <= (SELECT purging_at FROM
      legal_purge_clock WHERE id = 1) FROM invoices WHERE id = OLD.invoice_id), 0)
BEGIN
  SELECT RAISE(ABORT, 'invoice is finalised and immutable');
END;

DROP TRIGGER credit_notes_immutable_update;
CREATE TRIGGER credit_notes_immutable_update BEFORE UPDATE ON credit_notes
WHEN NEW.id IS NOT OLD.id OR NEW.workspace_id IS NOT OLD.workspace_id
  OR NEW.invoice_id IS NOT OLD.invoice_id OR NEW.number IS NOT OLD.number
  OR NEW.reason IS NOT OLD.reason OR NEW.currency IS NOT OLD.currency
  OR NEW.total IS NOT OLD.total OR NEW.settlement IS NOT OLD.settlement
  OR NEW.ledger_transaction_id IS NOT OLD.ledger_transaction_id
  OR NEW.created_at IS NOT OLD.created_at
  OR (NEW.purge_after IS NOT OLD.purge_after
      AND (NEW.purge_after IS NULL OR NEW.purge_after < OLD.purge_after))
BEGIN
  SELECT RAISE(ABORT, 'credit note is issued and immutable');
END;

DROP TRIGGER credit_notes_immutable_delete;
CREATE TRIGGER credit_notes_immutable_delete BEFORE DELETE ON credit_notes
WHEN NOT (OLD.purge_after IS NOT NULL
  AND OLD.purge_after <= (SELECT purging_at FROM legal_purge_clock WHERE id = 1))
BEGIN
  SELECT RAISE(ABORT, 'credit note is issued and immutable');
END;

DROP TRIGGER credit_note_lines_immutable_delete;
CREATE TRIGGER credit_note_lines_immutable_delete BEFORE DELETE ON credit_note_lines
WHEN NOT COALESCE((SELECT purge_after IS NOT NULL AND purge_after <= (SELECT purging_at FROM
    legal_purge_clock WHERE id = 1) FROM credit_notes WHERE id = OLD.credit_note_id), 0)
BEGIN
  SELECT RAISE(ABORT, 'credit note is issued and immutable');
END;

-- Whole-workspace erasure asked by its owner (a privacy request): the scheduled deletion names
-- the request, which completes when the deletion does.
ALTER TABLE workspace_deletions ADD COLUMN request_id TEXT;

-- A request's history in the order it was written (several events can share a millisecond).
ALTER TABLE privacy_request_events ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
