-- SQLite only: PostgreSQL keeps the large JSON columns out of line (TOAST) and caps index
-- tuples at a third of a page, which a message with many keywords could exceed.
-- An IMAP session's folder snapshot (uid, flags, size, date, blob, modseq of every message) is
-- read from this index alone: the table's rows also carry the cached envelope and body
-- structure JSON, so a folder of 10,000 messages was ~20 MB of pages for every reload.
CREATE INDEX mail_messages_snapshot
  ON mail_messages (folder_id, uid, modseq, size, internal_date, blob_id, flags);
