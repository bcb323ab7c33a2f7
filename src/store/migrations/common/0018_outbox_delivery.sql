-- The outbox is delivered through MailJuke's own mail store and queue (core/mail/outbox_sender).
-- status: pending → sending (claimed by one node until claimed_until) → queued (handed to the
-- mail store: queue_id is its "queued as" id, sent_at the time) | suppressed | failed.
-- A failed attempt puts the row back to pending with claimed_until as the earliest next try.
ALTER TABLE outbox ADD COLUMN queue_id TEXT;
ALTER TABLE outbox ADD COLUMN claim_token TEXT;
ALTER TABLE outbox ADD COLUMN claimed_until BIGINT;
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN last_error TEXT;
CREATE INDEX outbox_status ON outbox(status, created_at);
