-- no-transaction
-- Keys managed over the API: a `billing` role, an expiry, when a key was last used, and
-- the first characters of its secret to tell keys apart. A rotated key's `revoked_at_us`
-- may lie ahead: the end of its grace period.
--
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt as its
-- documented procedure says: with foreign keys off (bootstrap_keys refers to it, and
-- keeps the same ids) and in one transaction.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE api_keys_new (
    id              INTEGER PRIMARY KEY,
    program_id      INTEGER NOT NULL REFERENCES programs (id),
    name            TEXT    NOT NULL,
    role            TEXT    NOT NULL CHECK (role IN ('admin', 'pos', 'read', 'billing')),
    key_hash        TEXT    NOT NULL UNIQUE,
    created_at_us   INTEGER NOT NULL,
    revoked_at_us   INTEGER,
    prefix          TEXT,
    expires_at_us   INTEGER,
    last_used_at_us INTEGER
);
INSERT INTO api_keys_new (id, program_id, name, role, key_hash, created_at_us, revoked_at_us)
    SELECT id, program_id, name, role, key_hash, created_at_us, revoked_at_us FROM api_keys;
DROP TABLE api_keys;
ALTER TABLE api_keys_new RENAME TO api_keys;
-- A program's keys, listed in the order they were made.
CREATE INDEX api_keys_program ON api_keys (program_id, id);
COMMIT;
PRAGMA foreign_keys = ON;
