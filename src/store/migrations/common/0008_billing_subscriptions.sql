-- Billing beyond the ledger (issue 6): subscriptions, invoices and their lines, billing details,
-- payments through the provider, fraud reviews and processed Stripe events. Money is in integer
-- minor units; currencies are ISO 4217 upper case.

-- At most one live (not canceled) subscription per workspace.
CREATE TABLE subscriptions (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  plan_id TEXT NOT NULL,
  billing_interval TEXT NOT NULL CHECK (billing_interval IN ('month', 'year')),
  status TEXT NOT NULL CHECK (status IN ('active', 'past_due', 'canceled')),
  currency TEXT NOT NULL,
  price BIGINT NOT NULL CHECK (price >= 0),  -- per period, of the current plan
  anchor_at BIGINT NOT NULL,                 -- billing cycle anchor
  current_period_start BIGINT NOT NULL,
  current_period_end BIGINT NOT NULL,
  cancel_at_period_end INTEGER NOT NULL DEFAULT 0,
  canceled_at BIGINT,
  payment_method TEXT,  -- provider token of the card used for renewals
  retry_count INTEGER NOT NULL DEFAULT 0,
  next_retry_at BIGINT,
  notice_sent_for BIGINT,  -- the period end the renewal notice was sent for
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX subscriptions_live ON subscriptions(workspace_id) WHERE status <> 'canceled';
CREATE INDEX subscriptions_due ON subscriptions(status, current_period_end);

CREATE TABLE invoices (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  subscription_id TEXT REFERENCES subscriptions(id),
  status TEXT NOT NULL CHECK (status IN ('draft', 'open', 'paid', 'void', 'uncollectible')),
  number TEXT UNIQUE,  -- assigned at finalisation (gapless per series)
  reason TEXT NOT NULL,  -- subscription_create | subscription_update | subscription_cycle
  currency TEXT NOT NULL,
  total BIGINT NOT NULL DEFAULT 0,
  period_start BIGINT,
  period_end BIGINT,
  seller_name TEXT,
  seller_address TEXT,
  seller_country TEXT,
  seller_vat_id TEXT,
  buyer_name TEXT,
  buyer_address TEXT,
  buyer_country TEXT,
  buyer_vat_id TEXT,
  buyer_email TEXT,
  reverse_charge INTEGER NOT NULL DEFAULT 0,
  finalized_at BIGINT,
  paid_at BIGINT,
  voided_at BIGINT,
  paid_with TEXT,  -- wallet | card
  ledger_transaction_id TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX invoices_workspace ON invoices(workspace_id, id);
CREATE INDEX invoices_subscription ON invoices(subscription_id, status);

CREATE TABLE invoice_lines (
  id TEXT PRIMARY KEY,
  invoice_id TEXT NOT NULL REFERENCES invoices(id),
  position INTEGER NOT NULL,
  description TEXT NOT NULL,
  quantity BIGINT NOT NULL,
  unit_amount BIGINT NOT NULL,
  amount BIGINT NOT NULL,
  proration INTEGER NOT NULL DEFAULT 0,
  period_start BIGINT,
  period_end BIGINT,
  UNIQUE (invoice_id, position)
);

CREATE TABLE billing_details (
  workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id),
  legal_name TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT '',
  country TEXT NOT NULL DEFAULT '',
  vat_id TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL DEFAULT '',
  updated_at BIGINT NOT NULL
);

-- One row per attempt to take money through the payment provider.
CREATE TABLE payments (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  purpose TEXT NOT NULL CHECK (purpose IN ('top_up', 'invoice')),
  invoice_id TEXT REFERENCES invoices(id),
  amount BIGINT NOT NULL CHECK (amount > 0),
  currency TEXT NOT NULL,
  payment_method TEXT NOT NULL,
  provider TEXT NOT NULL,
  provider_ref TEXT,
  status TEXT NOT NULL CHECK (status IN ('requires_action', 'held', 'succeeded', 'failed',
                                         'denied', 'refunded')),
  failure_code TEXT,
  ledger_transaction_id TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX payments_workspace ON payments(workspace_id, created_at);
CREATE INDEX payments_provider_ref ON payments(provider_ref);

-- A payment held by the fraud rules until an operator decides (no automated refusal of an
-- account without a human, GDPR Art. 22).
CREATE TABLE fraud_reviews (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  payment_id TEXT NOT NULL REFERENCES payments(id),
  rules TEXT NOT NULL,  -- JSON array of the rules that fired
  status TEXT NOT NULL CHECK (status IN ('open', 'approved', 'denied')),
  decided_by TEXT,
  decided_at BIGINT,
  note TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX fraud_reviews_status ON fraud_reviews(status, id);

-- Stripe webhook events already applied (dedupe on the event id).
CREATE TABLE stripe_events (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  received_at BIGINT NOT NULL
);
