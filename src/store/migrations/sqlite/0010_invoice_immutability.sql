-- Finalised invoices never change (EU VAT Directive Art. 226(2); security-and-money.md): the
-- database refuses edits of their content, of their lines, and deletes. Allowed after
-- finalisation: open -> paid | void | uncollectible, uncollectible -> paid, with the payment
-- columns set at that moment.
CREATE TRIGGER invoices_final_update BEFORE UPDATE ON invoices
WHEN OLD.status <> 'draft' AND (
  OLD.status IN ('paid', 'void')
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
  OR (OLD.status = 'uncollectible' AND NEW.status NOT IN ('uncollectible', 'paid')))
BEGIN
  SELECT RAISE(ABORT, 'invoice is finalised and immutable');
END;

CREATE TRIGGER invoices_final_delete BEFORE DELETE ON invoices
WHEN OLD.status <> 'draft'
BEGIN
  SELECT RAISE(ABORT, 'invoice is finalised and immutable');
END;

CREATE TRIGGER invoice_lines_final_insert BEFORE INSERT ON invoice_lines
WHEN (SELECT status FROM invoices WHERE id = NEW.invoice_id) <> 'draft'
BEGIN
  SELECT RAISE(ABORT, 'invoice is finalised and immutable');
END;

CREATE TRIGGER invoice_lines_final_update BEFORE UPDATE ON invoice_lines
WHEN (SELECT status FROM invoices WHERE id = OLD.invoice_id) <> 'draft'
BEGIN
  SELECT RAISE(ABORT, 'invoice is finalised and immutable');
END;

CREATE TRIGGER invoice_lines_final_delete BEFORE DELETE ON invoice_lines
WHEN (SELECT status FROM invoices WHERE id = OLD.invoice_id) <> 'draft'
BEGIN
  SELECT RAISE(ABORT, 'invoice is finalised and immutable');
END;
