-- Spending (SQLite; the same as migrations/postgres/0006): reward codes that are used,
-- drawn on, cancelled or expire; points reserved by checkout holds.

ALTER TABLE members ADD COLUMN held INTEGER NOT NULL DEFAULT 0;

ALTER TABLE reward_instances ADD COLUMN kind TEXT NOT NULL DEFAULT 'product';
ALTER TABLE reward_instances ADD COLUMN expires_at_us INTEGER;
ALTER TABLE reward_instances ADD COLUMN order_id TEXT;
-- A gift card's value and what is left of it, in minor units.
ALTER TABLE reward_instances ADD COLUMN value_minor INTEGER;
ALTER TABLE reward_instances ADD COLUMN balance_minor INTEGER;
ALTER TABLE reward_instances ADD COLUMN charity TEXT;
CREATE INDEX reward_instances_member ON reward_instances (member_id, id);
-- The codes whose validity the job ends.
CREATE INDEX reward_instances_due ON reward_instances (program_id, expires_at_us)
    WHERE state = 'issued' AND expires_at_us IS NOT NULL;
CREATE INDEX reward_instances_donations ON reward_instances (program_id, issued_at_us) WHERE kind = 'donation';

CREATE TABLE holds (
    id            INTEGER PRIMARY KEY,
    program_id    INTEGER NOT NULL,
    member_id     INTEGER NOT NULL REFERENCES members (id),
    event_id      INTEGER NOT NULL,
    hold_id       TEXT    NOT NULL,
    order_id      TEXT    NOT NULL,
    state         TEXT    NOT NULL,
    points        INTEGER NOT NULL CHECK (points > 0),
    amount_minor  INTEGER,
    -- The reward and code a captured hold issues, as JSON.
    reward        TEXT,
    -- The lots the points were drawn from, as JSON, to give them back on release.
    draws         TEXT    NOT NULL,
    created_at_us INTEGER NOT NULL,
    expires_at_us INTEGER NOT NULL,
    refunded      INTEGER NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= points),
    UNIQUE (program_id, hold_id)
);
CREATE INDEX holds_member ON holds (member_id, id);
CREATE INDEX holds_order ON holds (program_id, order_id);
CREATE INDEX holds_open ON holds (program_id, expires_at_us) WHERE state = 'open';
