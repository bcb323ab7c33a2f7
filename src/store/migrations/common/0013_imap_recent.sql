-- RFC 3501 §2.3.2 \Recent: messages with uid >= recent_uid have not yet been seen by any
-- session that selected the folder read-write; the first such session claims them (moves
-- recent_uid to the end of its snapshot). Existing messages are not recent after the upgrade.
ALTER TABLE mail_folders ADD COLUMN recent_uid BIGINT NOT NULL DEFAULT 1;
UPDATE mail_folders SET recent_uid = uidnext;
