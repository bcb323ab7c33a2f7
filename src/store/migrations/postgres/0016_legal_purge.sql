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

-- True when a row with this purge_after may be deleted now.
CREATE FUNCTION legal_purge_due(purge_after BIGINT) RETURNS boolean AS $$
  SELECT purge_after IS NOT NULL
    AND purge_after <= (SELECT purging_at FROM legal_purge_clock WHERE id = 1);
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION invoices_immutable() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status <> 'draft' AND NOT legal_purge_due(OLD.purge_after) THEN
      RAISE EXCEPTION 'invoice is finalised and immutable';
    END IF;
    RETURN OLD;
  END IF;
  IF OLD.status <> 'draft' AND (
    (OLD.status IN ('paid', 'void')
      AND (to_jsonb(NEW) - 'purge_after') IS DISTINCT FROM (to_jsonb(OLD) - 'purge_after'))
    OR NEW.number IS DISTINCT FROM OLD.number OR NEW.total IS DISTINCT FROM OLD.total
    OR NEW.currency IS DISTINCT FROM OLD.currency
    OR NEW.workspace_id IS DISTINCT FROM OLD.workspace_id
    OR NEW.period_start IS DISTINCT FROM OLD.period_start
    OR NEW.period_end IS DISTINCT FROM OLD.period_end
    OR NEW.seller_name IS DISTINCT FROM OLD.seller_name
    OR NEW.seller_address IS DISTINCT FROM OLD.seller_address
    OR NEW.seller_country IS DISTINCT FROM OLD.seller_country
    OR NEW.seller_vat_id IS DISTINCT FROM OLD.seller_vat_id
    OR NEW.buyer_name IS DISTINCT FROM OLD.buyer_name
    OR NEW.buyer_address IS DISTINCT FROM OLD.buyer_address
    OR NEW.buyer_country IS DISTINCT FROM OLD.buyer_country
    OR NEW.buyer_vat_id IS DISTINCT FROM OLD.buyer_vat_id
    OR NEW.buyer_email IS DISTINCT FROM OLD.buyer_email
    OR NEW.reverse_charge IS DISTINCT FROM OLD.reverse_charge
    OR NEW.finalized_at IS DISTINCT FROM OLD.finalized_at
    OR NEW.reason IS DISTINCT FROM OLD.reason
    OR NEW.status NOT IN ('open', 'paid', 'void', 'uncollectible')
    OR (OLD.status = 'uncollectible' AND NEW.status NOT IN ('uncollectible', 'paid'))
    OR (NEW.purge_after IS DISTINCT FROM OLD.purge_after
        AND (NEW.purge_after IS NULL OR NEW.purge_after < OLD.purge_after))) THEN
    RAISE EXCEPTION 'invoice is finalised and immutable';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION invoice_lines_immutable() RETURNS trigger AS $$
DECLARE
  parent TEXT;
  parent_purge BIGINT;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT status, purge_after INTO parent, parent_purge FROM invoices WHERE id = NEW.invoice_id;
  ELSE
    SELECT status, purge_after INTO parent, parent_purge FROM invoices WHERE id = OLD.invoice_id;
  END IF;
  IF TG_OP = 'DELETE' AND parent IS DISTINCT FROM 'draft' AND legal_purge_due(parent_purge) THEN
    RETURN OLD;
  END IF;
  IF parent IS DISTINCT FROM 'draft' THEN
    RAISE EXCEPTION 'invoice is finalised and immutable';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER credit_notes_immutable ON credit_notes;
DROP TRIGGER credit_note_lines_immutable ON credit_note_lines;
DROP FUNCTION credit_notes_immutable();

CREATE FUNCTION credit_notes_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF NOT legal_purge_due(OLD.purge_after) THEN
      RAISE EXCEPTION 'credit note is issued and immutable';
    END IF;
    RETURN OLD;
  END IF;
  IF (to_jsonb(NEW) - 'purge_after') IS DISTINCT FROM (to_jsonb(OLD) - 'purge_after')
     OR (NEW.purge_after IS DISTINCT FROM OLD.purge_after
         AND (NEW.purge_after IS NULL OR NEW.purge_after < OLD.purge_after)) THEN
    RAISE EXCEPTION 'credit note is issued and immutable';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION credit_note_lines_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE'
     AND legal_purge_due((SELECT purge_after FROM credit_notes WHERE id = OLD.credit_note_id)) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'credit note is issued and immutable';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER credit_notes_immutable BEFORE UPDATE OR DELETE ON credit_notes
FOR EACH ROW EXECUTE FUNCTION credit_notes_guard();
CREATE TRIGGER credit_note_lines_immutable BEFORE UPDATE OR DELETE ON credit_note_lines
FOR EACH ROW EXECUTE FUNCTION credit_note_lines_guard();

-- Whole-workspace erasure asked by its owner (a privacy request): the scheduled deletion names
-- the request, which completes when the deletion does.
ALTER TABLE workspace_deletions ADD COLUMN request_id TEXT;

-- A request's history in the order it was written (several events can share a millisecond).
ALTER TABLE privacy_request_events ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
