-- The first schema: programs, keys, members, the event log, the double-entry journal,
-- lots, orders and issued rewards. Timestamps are microseconds since the Unix epoch.

CREATE TABLE programs (
    id            INTEGER PRIMARY KEY,
    code          TEXT    NOT NULL UNIQUE,
    created_at_us INTEGER NOT NULL
);

CREATE TABLE program_versions (
    program_id    INTEGER NOT NULL REFERENCES programs (id),
    version       INTEGER NOT NULL,
    definition    TEXT    NOT NULL,
    created_at_us INTEGER NOT NULL,
    PRIMARY KEY (program_id, version)
);

CREATE TABLE api_keys (
    id            INTEGER PRIMARY KEY,
    program_id    INTEGER NOT NULL REFERENCES programs (id),
    name          TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'pos', 'read')),
    key_hash      TEXT    NOT NULL UNIQUE,
    created_at_us INTEGER NOT NULL,
    revoked_at_us INTEGER
);

-- The admin key made for each program at first start. `plaintext` keeps a generated key
-- so that start-up can show it again; it is NULL when the key came from LOYALTY_ADMIN_KEY.
CREATE TABLE bootstrap_keys (
    program_id INTEGER PRIMARY KEY REFERENCES programs (id),
    api_key_id INTEGER NOT NULL REFERENCES api_keys (id),
    plaintext  TEXT
);

CREATE TABLE members (
    id             INTEGER PRIMARY KEY,
    program_id     INTEGER NOT NULL REFERENCES programs (id),
    external_id    TEXT    NOT NULL,
    email          TEXT,
    name           TEXT,
    status         TEXT    NOT NULL,
    available      INTEGER NOT NULL,
    pending        INTEGER NOT NULL,
    debt           INTEGER NOT NULL CHECK (debt >= 0),
    enrolled_at_us INTEGER NOT NULL,
    UNIQUE (program_id, external_id)
);

-- The ledger's rows (events, journal entries, postings, lots, orders, rewards) refer to
-- their member with a foreign key. Their references to the program, to their event and to
-- their journal entry are not foreign keys: the engine writes a decision's rows together,
-- in one statement, and every such check would cost each event a lookup (and, for the
-- program, a lock on one row that every writer shares). `loyalty verify` checks them.
CREATE TABLE events (
    id              INTEGER PRIMARY KEY,
    program_id      INTEGER NOT NULL,
    program_version INTEGER NOT NULL,
    member_id       INTEGER REFERENCES members (id),
    kind            TEXT    NOT NULL,
    idempotency_key TEXT,
    fingerprint     TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    result          TEXT    NOT NULL,
    occurred_at_us  INTEGER NOT NULL,
    recorded_at_us  INTEGER NOT NULL
);
CREATE UNIQUE INDEX events_idempotency_key ON events (program_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX events_member ON events (member_id);

CREATE TABLE journal_entries (
    id             INTEGER PRIMARY KEY,
    program_id     INTEGER NOT NULL,
    event_id       INTEGER NOT NULL,
    member_id      INTEGER REFERENCES members (id),
    kind           TEXT    NOT NULL,
    memo           TEXT,
    occurred_at_us INTEGER NOT NULL,
    recorded_at_us INTEGER NOT NULL
);
CREATE INDEX journal_entries_member ON journal_entries (member_id, id);

CREATE TABLE postings (
    id         INTEGER PRIMARY KEY,
    entry_id   INTEGER NOT NULL,
    program_id INTEGER NOT NULL,
    member_id  INTEGER REFERENCES members (id),
    account    TEXT    NOT NULL,
    amount     INTEGER NOT NULL
);
CREATE INDEX postings_entry ON postings (entry_id);
CREATE INDEX postings_member_account ON postings (member_id, account);

CREATE TABLE lots (
    id            INTEGER PRIMARY KEY,
    program_id    INTEGER NOT NULL,
    member_id     INTEGER NOT NULL REFERENCES members (id),
    event_id      INTEGER NOT NULL,
    order_id      TEXT,
    amount        INTEGER NOT NULL,
    remaining     INTEGER NOT NULL CHECK (remaining >= 0 AND remaining <= amount),
    earned_at_us  INTEGER NOT NULL,
    expires_at_us INTEGER
);
CREATE INDEX lots_open ON lots (member_id) WHERE remaining > 0;

CREATE TABLE orders (
    program_id INTEGER NOT NULL,
    order_id   TEXT    NOT NULL,
    member_id  INTEGER NOT NULL REFERENCES members (id),
    event_id   INTEGER NOT NULL,
    awarded    INTEGER NOT NULL,
    lines      TEXT    NOT NULL,
    PRIMARY KEY (program_id, order_id)
);

CREATE TABLE reward_instances (
    id           INTEGER PRIMARY KEY,
    program_id   INTEGER NOT NULL,
    member_id    INTEGER NOT NULL REFERENCES members (id),
    event_id     INTEGER NOT NULL,
    reward       TEXT    NOT NULL,
    code         TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    points       INTEGER NOT NULL,
    issued_at_us INTEGER NOT NULL,
    UNIQUE (program_id, code)
);
