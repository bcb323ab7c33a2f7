-- Issue 6 (docs/billing.md "Saved card"): the workspace's customer at the payment provider
-- (Stripe: cus_…, created the first time the workspace saves a card) and the card saved on it
-- for off-session charges (renewals, their retries, auto top-ups). One row per workspace and
-- provider. pending_*: a card whose SetupIntent waits for the customer's confirmation.
CREATE TABLE billing_customers (
  workspace_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  customer_ref TEXT NOT NULL,
  payment_method TEXT,
  card_brand TEXT,
  card_last4 TEXT,
  card_country TEXT,
  saved_at BIGINT,
  pending_setup_ref TEXT,
  pending_payment_method TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (workspace_id, provider)
);
