-- Keys managed over the API: a `billing` role, an expiry, when a key was last used, and
-- the first characters of its secret to tell keys apart. A rotated key's `revoked_at_us`
-- may lie ahead: the end of its grace period.
ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check CHECK (role IN ('admin', 'pos', 'read', 'billing'));
ALTER TABLE api_keys ADD COLUMN prefix TEXT;
ALTER TABLE api_keys ADD COLUMN expires_at_us BIGINT;
ALTER TABLE api_keys ADD COLUMN last_used_at_us BIGINT;
-- A program's keys, listed in the order they were made.
CREATE INDEX api_keys_program ON api_keys (program_id, id);
