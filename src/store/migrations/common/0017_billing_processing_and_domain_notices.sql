-- Issue 6 (docs/billing.md). payments.provider_status: what the provider last said about a
-- payment that is not decided yet (status requires_action): 'processing' is shown as such
-- through the API (nothing for the customer to do; the webhook settles it), NULL or
-- 'requires_action' needs the customer's confirmation (3-D Secure).
ALTER TABLE payments ADD COLUMN provider_status TEXT;
-- Renewal notices of purchased domains, 30 and 7 days before expires_at, once each:
-- renewal_notice_for is the expires_at the last notice was about, renewal_notice_days the
-- notice sent for it (30, then 7). A renewed domain has a new expires_at, so notices start over.
ALTER TABLE domains ADD COLUMN renewal_notice_for BIGINT;
ALTER TABLE domains ADD COLUMN renewal_notice_days INTEGER;
