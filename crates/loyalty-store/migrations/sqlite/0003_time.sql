-- Points over time (SQLite; the same as migrations/postgres/0003): lots pending for a return
-- window, and the indexes the jobs use to find the lots whose expiry or release is due.

-- Set while the lot is pending; the release job clears it at or after this instant.
ALTER TABLE lots ADD COLUMN pending_until_us INTEGER;
CREATE INDEX lots_due_expiry ON lots (program_id, expires_at_us) WHERE remaining > 0 AND expires_at_us IS NOT NULL;
CREATE INDEX lots_due_release ON lots (program_id, pending_until_us) WHERE pending_until_us IS NOT NULL;
