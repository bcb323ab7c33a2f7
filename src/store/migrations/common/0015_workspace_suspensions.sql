-- Operators suspend and resume workspaces (abuse, unpaid debts); workspaces.status carries the
-- current state, this table the history with the reasons.
CREATE TABLE workspace_suspensions (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  action TEXT NOT NULL,
  reason TEXT NOT NULL,
  operator_id TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX workspace_suspensions_workspace ON workspace_suspensions(workspace_id, created_at);
