-- Finalised invoices never change (EU VAT Directive Art. 226(2); security-and-money.md): the
-- database refuses edits of their content, of their lines, and deletes. Allowed after
-- finalisation: open -> paid | void | uncollectible, uncollectible -> paid, with the payment
-- columns set at that moment.
CREATE FUNCTION invoices_immutable() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status <> 'draft' THEN
      RAISE EXCEPTION 'invoice is finalised and immutable';
    END IF;
    RETURN OLD;
  END IF;
  IF OLD.status <> 'draft' AND (
    OLD.status IN ('paid', 'void')
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
    OR (OLD.status = 'uncollectible' AND NEW.status NOT IN ('uncollectible', 'paid'))) THEN
    RAISE EXCEPTION 'invoice is finalised and immutable';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER invoices_final BEFORE UPDATE OR DELETE ON invoices
FOR EACH ROW EXECUTE FUNCTION invoices_immutable();

CREATE FUNCTION invoice_lines_immutable() RETURNS trigger AS $$
DECLARE
  parent TEXT;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT status INTO parent FROM invoices WHERE id = NEW.invoice_id;
  ELSE
    SELECT status INTO parent FROM invoices WHERE id = OLD.invoice_id;
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

CREATE TRIGGER invoice_lines_final BEFORE INSERT OR UPDATE OR DELETE ON invoice_lines
FOR EACH ROW EXECUTE FUNCTION invoice_lines_immutable();
