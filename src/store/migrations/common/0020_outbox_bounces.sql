-- Bounces of platform e-mail (core/mail/outbox_bounces): a queued row whose message failed
-- permanently (the delivery worker gave up, or a DSN came back to the platform address) becomes
-- 'bounced' with bounced_at, the RFC 3463 status (bounce_status, e.g. 5.1.1) and the reason in
-- last_error. The delivery worker finds the row by the stored message's id (queue_id).
ALTER TABLE outbox ADD COLUMN bounced_at BIGINT;
ALTER TABLE outbox ADD COLUMN bounce_status TEXT;
CREATE INDEX outbox_queue_id ON outbox(queue_id);
