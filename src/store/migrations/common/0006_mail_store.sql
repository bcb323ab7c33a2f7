-- The shared mail store (SMTP delivers, IMAP reads): folders with IMAP UID state, message
-- metadata pointing at content-addressed blobs, the outbound queue, and per-day counters.
CREATE TABLE mail_folders (
  id TEXT PRIMARY KEY,
  mailbox_id TEXT NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  special_use TEXT,
  subscribed INTEGER NOT NULL DEFAULT 1,
  uidvalidity BIGINT NOT NULL,
  uidnext BIGINT NOT NULL DEFAULT 1,
  highest_modseq BIGINT NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  UNIQUE (mailbox_id, name)
);

CREATE TABLE mail_messages (
  id TEXT PRIMARY KEY,
  folder_id TEXT NOT NULL REFERENCES mail_folders(id) ON DELETE CASCADE,
  uid BIGINT NOT NULL,
  blob_id TEXT NOT NULL,
  size BIGINT NOT NULL,
  internal_date BIGINT NOT NULL,
  flags TEXT NOT NULL DEFAULT '',
  modseq BIGINT NOT NULL,
  envelope TEXT,
  bodystructure TEXT,
  created_at BIGINT NOT NULL,
  UNIQUE (folder_id, uid)
);
CREATE INDEX mail_messages_blob ON mail_messages(blob_id);

-- One row per (message, destination domain): all its recipients in one SMTP transaction.
CREATE TABLE mail_queue (
  id TEXT PRIMARY KEY,
  message_id TEXT NOT NULL,
  blob_id TEXT NOT NULL,
  envelope_from TEXT NOT NULL,
  sender_mailbox_id TEXT,
  domain TEXT NOT NULL,
  recipients TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX mail_queue_due ON mail_queue(status, next_attempt_at);
CREATE INDEX mail_queue_blob ON mail_queue(blob_id);

CREATE TABLE mailbox_counters (
  mailbox_id TEXT NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  day TEXT NOT NULL,
  sent BIGINT NOT NULL DEFAULT 0,
  bounced BIGINT NOT NULL DEFAULT 0,
  received BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (mailbox_id, day)
);
