-- Webhooks (SQLite; the same as migrations/postgres/0007): subscriptions, and the outbox of
-- deliveries, written in the transaction of the event they tell of, with every attempt.

CREATE TABLE webhook_subscriptions (
    id            INTEGER PRIMARY KEY,
    program_id    INTEGER NOT NULL,
    url           TEXT    NOT NULL,
    secret        TEXT    NOT NULL,
    -- A JSON array of event types, each quoted, so that a LIKE on `"type"` finds it.
    event_types   TEXT    NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    created_at_us INTEGER NOT NULL
);
CREATE INDEX webhook_subscriptions_program ON webhook_subscriptions (program_id) WHERE active = 1;

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    program_id      INTEGER NOT NULL,
    subscription_id INTEGER NOT NULL REFERENCES webhook_subscriptions (id),
    event_type      TEXT    NOT NULL,
    -- The body sent, built when the event was applied; its `id` is stable across retries.
    payload         TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_us INTEGER NOT NULL,
    last_status     INTEGER,
    last_error      TEXT,
    created_at_us   INTEGER NOT NULL,
    delivered_at_us INTEGER
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_us) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_program ON webhook_deliveries (program_id, id);

CREATE TABLE webhook_attempts (
    id             INTEGER PRIMARY KEY,
    delivery_id    INTEGER NOT NULL REFERENCES webhook_deliveries (id),
    attempted_at_us INTEGER NOT NULL,
    status         INTEGER,
    error          TEXT,
    duration_ms    INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);
