-- Privacy (issue 7): consent history, policy versions, subprocessors, data subject requests
-- with their history and verification codes, restriction/objection flags, the marketing
-- suppression list, scheduled workspace deletions and legal holds on retained records.

-- Append-only: the current state of a purpose is its newest event (policy §4, §7; Art. 7(1)).
CREATE TABLE consent_events (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  purpose TEXT NOT NULL,
  granted INTEGER NOT NULL,
  notice_version TEXT NOT NULL,
  method TEXT NOT NULL,
  ip TEXT,
  user_agent TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX consent_events_user ON consent_events(user_id, purpose, created_at);

CREATE TABLE policy_versions (
  id TEXT PRIMARY KEY,
  version TEXT NOT NULL UNIQUE,
  body TEXT NOT NULL,
  effective_at BIGINT NOT NULL,
  material INTEGER NOT NULL DEFAULT 0,
  published_by TEXT,
  created_at BIGINT NOT NULL
);

CREATE TABLE subprocessors (
  id TEXT PRIMARY KEY,
  vendor TEXT NOT NULL,
  purpose TEXT NOT NULL,
  data_categories TEXT NOT NULL,
  location TEXT NOT NULL,
  safeguard TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- Data subject requests (policy §10, §12). user_id is NULL for people without a login until the
-- e-mailed code is verified (and stays NULL when no account has that address).
CREATE TABLE privacy_requests (
  id TEXT PRIMARY KEY,
  user_id TEXT,
  email TEXT,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  details TEXT NOT NULL DEFAULT '{}',
  received_at BIGINT NOT NULL,
  due_at BIGINT NOT NULL,
  code_hash TEXT,
  code_expires_at BIGINT,
  code_attempts INTEGER NOT NULL DEFAULT 0,
  progress_done INTEGER NOT NULL DEFAULT 0,
  progress_total INTEGER NOT NULL DEFAULT 0,
  export_path TEXT,
  export_expires_at BIGINT,
  resolution TEXT,
  updated_at BIGINT NOT NULL
);
CREATE INDEX privacy_requests_user ON privacy_requests(user_id);
CREATE INDEX privacy_requests_status ON privacy_requests(status, due_at);

-- Append-only history of every step of a request (received, verified, extended, refused, ...).
CREATE TABLE privacy_request_events (
  id TEXT PRIMARY KEY,
  request_id TEXT NOT NULL REFERENCES privacy_requests(id) ON DELETE CASCADE,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  note TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX privacy_request_events_request ON privacy_request_events(request_id, created_at);

-- Restriction (Art. 18, purpose 'all') and objection (Art. 21, per purpose). lifted_at NULL: in force.
CREATE TABLE processing_flags (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  purpose TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  lifted_at BIGINT
);
CREATE INDEX processing_flags_user ON processing_flags(user_id);

-- Marketing suppression (absolute objection, unsubscribes): an HMAC of the address, never the
-- address itself, checked before every marketing send.
CREATE TABLE suppression_list (
  email_hmac TEXT PRIMARY KEY,
  reason TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

-- Workspaces solely owned by an erased person: deleted after a grace period unless cancelled.
CREATE TABLE workspace_deletions (
  workspace_id TEXT PRIMARY KEY,
  requested_by TEXT,
  scheduled_for BIGINT NOT NULL,
  warned_at BIGINT,
  cancelled_at BIGINT,
  completed_at BIGINT,
  created_at BIGINT NOT NULL
);

-- Records kept after erasure for a legal period (invoices, ledger; Art. 17(3)(b)), restricted
-- to that purpose, purged when purge_after passes.
CREATE TABLE legal_holds (
  id TEXT PRIMARY KEY,
  scope TEXT NOT NULL,
  scope_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  purge_after BIGINT NOT NULL,
  purged_at BIGINT,
  created_at BIGINT NOT NULL
);
CREATE INDEX legal_holds_scope ON legal_holds(scope, scope_id);
