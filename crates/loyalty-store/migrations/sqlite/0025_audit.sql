-- The audit trail: who made each write (a key, a member token, the platform key, a job
-- or an import run), what it was, and for an administrator's change the state before
-- and after it.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    program_id  INTEGER NOT NULL REFERENCES programs (id),
    at_us       INTEGER NOT NULL,
    actor       TEXT   NOT NULL,
    actor_name  TEXT   NOT NULL,
    action      TEXT   NOT NULL,
    path        TEXT   NOT NULL,
    member      TEXT,
    request_id  TEXT,
    before      TEXT,
    after       TEXT
);
CREATE INDEX audit_log_program ON audit_log (program_id, id);
CREATE INDEX audit_log_member ON audit_log (program_id, member);
