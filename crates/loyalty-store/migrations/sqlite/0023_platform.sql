-- The platform: the key that manages programs, and programs it has archived (read-only:
-- no more writes, reads and exports still work).
ALTER TABLE programs ADD COLUMN archived_at_us INTEGER;
CREATE TABLE platform_keys (
    id            INTEGER PRIMARY KEY,
    key_hash      TEXT    NOT NULL UNIQUE,
    created_at_us INTEGER NOT NULL,
    revoked_at_us INTEGER
);
