-- The bytes of each folder's messages, kept in the transactions that add and remove them, so
-- the storage quota check of every APPEND and SMTP RCPT reads one row per folder instead of
-- summing every message of the mailbox.
ALTER TABLE mail_folders ADD COLUMN total_bytes BIGINT NOT NULL DEFAULT 0;
UPDATE mail_folders SET total_bytes =
  (SELECT COALESCE(SUM(size), 0) FROM mail_messages WHERE mail_messages.folder_id = mail_folders.id);
