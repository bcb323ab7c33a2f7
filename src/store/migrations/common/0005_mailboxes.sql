-- Mailboxes: the credentials the mail servers check (Argon2id hash) and the password sealed with
-- the platform AEAD key for sequencer exports. mailbox_state.version increases on every change
-- so every node rebuilds its in-memory mail directory.
CREATE TABLE mailboxes (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  domain_id TEXT NOT NULL REFERENCES domains(id),
  local_part TEXT NOT NULL,
  first_name TEXT NOT NULL DEFAULT '',
  last_name TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL,
  password_sealed TEXT NOT NULL,
  daily_limit INTEGER NOT NULL,
  signature TEXT,
  forward_to TEXT,
  status TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (domain_id, local_part)
);
CREATE INDEX mailboxes_workspace ON mailboxes(workspace_id, id);

CREATE TABLE mailbox_state (
  id INTEGER PRIMARY KEY,
  version BIGINT NOT NULL
);
INSERT INTO mailbox_state (id, version) VALUES (1, 0);
