-- Privacy, the remaining promises (issue 7): the breach register with its append-only history
-- (Art. 33(5)), operator marketing sends with RFC 8058 one-click unsubscribe headers, and
-- pseudonymous product analytics with daily aggregates.

-- Personal data breaches (Art. 33, 34). Times are UTC seconds; alerted_at is set once the
-- 72-hour alert (aware_at + 72 h without authority_notified_at) has been e-mailed.
CREATE TABLE breaches (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  description TEXT NOT NULL,
  categories TEXT NOT NULL DEFAULT '[]',
  people_affected BIGINT,
  measures TEXT NOT NULL DEFAULT '',
  detected_at BIGINT NOT NULL,
  aware_at BIGINT NOT NULL,
  authority_notified_at BIGINT,
  subjects_notified_at BIGINT,
  alerted_at BIGINT,
  created_by TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX breaches_open ON breaches(authority_notified_at, aware_at);

-- Append-only: every creation and change of a breach record, with who made it.
CREATE TABLE breach_events (
  id TEXT PRIMARY KEY,
  breach_id TEXT NOT NULL REFERENCES breaches(id),
  actor TEXT,
  action TEXT NOT NULL,
  changes TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX breach_events_breach ON breach_events(breach_id, created_at);

-- Extra header fields of an outgoing e-mail as a JSON object (List-Unsubscribe, ...).
ALTER TABLE outbox ADD COLUMN headers TEXT;

-- Operator marketing sends: what was sent and to how many (recipients are in the outbox).
CREATE TABLE marketing_sends (
  id TEXT PRIMARY KEY,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  recipients BIGINT NOT NULL,
  skipped BIGINT NOT NULL,
  created_by TEXT,
  created_at BIGINT NOT NULL
);

-- Product usage events, pseudonymous: an HMAC of the user id, never an e-mail, name or IP.
-- Aggregated per day once the day is over; deleted after 13 months.
CREATE TABLE analytics_events (
  id TEXT PRIMARY KEY,
  subject_hmac TEXT NOT NULL,
  workspace_id TEXT,
  event TEXT NOT NULL,
  aggregated INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE INDEX analytics_events_time ON analytics_events(aggregated, created_at);

-- Daily aggregates: counts only (no pseudonyms, no workspace ids).
CREATE TABLE analytics_daily (
  day TEXT NOT NULL,
  event TEXT NOT NULL,
  events BIGINT NOT NULL,
  workspaces BIGINT NOT NULL,
  people BIGINT NOT NULL,
  PRIMARY KEY (day, event)
);

-- Data processing agreement acceptances per version (Art. 28(3)): who accepted which version
-- for a workspace, and when; append-only (workspaces.dpa_* hold the latest).
CREATE TABLE dpa_acceptances (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  version TEXT NOT NULL,
  accepted_by TEXT NOT NULL,
  accepted_at BIGINT NOT NULL
);
CREATE INDEX dpa_acceptances_workspace ON dpa_acceptances(workspace_id, accepted_at);

-- Whole-workspace exports by an owner (the controller's copy of its data, policy §2): built as a
-- job, downloadable for 5 days.
CREATE TABLE workspace_exports (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  status TEXT NOT NULL,
  export_path TEXT,
  expires_at BIGINT,
  error TEXT,
  files INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  completed_at BIGINT
);
CREATE INDEX workspace_exports_workspace ON workspace_exports(workspace_id, created_at);
