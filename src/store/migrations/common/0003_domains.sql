-- Domains, their DKIM keys and custom DNS records; zone_state.version increases on every zone
-- change so DNS nodes know when to rebuild their snapshot.
CREATE TABLE domains (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name TEXT NOT NULL UNIQUE,
  unicode_name TEXT NOT NULL,
  source TEXT NOT NULL,
  status TEXT NOT NULL,
  verification_token TEXT NOT NULL,
  forward_url TEXT,
  dmarc_policy TEXT NOT NULL DEFAULT 'none',
  autorenew INTEGER NOT NULL DEFAULT 1,
  expires_at BIGINT,
  price_amount BIGINT,
  price_currency TEXT,
  zone_serial BIGINT NOT NULL,
  verify_report TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX domains_workspace ON domains(workspace_id, id);

CREATE TABLE dkim_keys (
  id TEXT PRIMARY KEY,
  domain_id TEXT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
  selector TEXT NOT NULL,
  private_key TEXT NOT NULL,
  public_key TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  retire_after BIGINT,
  UNIQUE (domain_id, selector)
);

CREATE TABLE dns_records (
  id TEXT PRIMARY KEY,
  domain_id TEXT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  ttl INTEGER NOT NULL,
  value TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX dns_records_domain ON dns_records(domain_id);

CREATE TABLE zone_state (
  id INTEGER PRIMARY KEY,
  version BIGINT NOT NULL
);
INSERT INTO zone_state (id, version) VALUES (1, 0);
