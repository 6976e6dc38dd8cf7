-- A member's standing (sqlite; the same as the other backend's 0004): when they last did
-- something themselves, when their tier is next evaluated, their paid tier and what a
-- closure took (JSON), and the history of their tier, subscription and status.

ALTER TABLE members ADD COLUMN last_activity_us INTEGER NOT NULL DEFAULT 0;
UPDATE members SET last_activity_us = COALESCE(
    (SELECT MAX(e.occurred_at_us) FROM events e
     WHERE e.member_id = members.id AND e.kind IN ('enrol', 'purchase', 'return', 'redeem', 'activity')),
    enrolled_at_us);
ALTER TABLE members ADD COLUMN tier_review_at_us INTEGER;
ALTER TABLE members ADD COLUMN standing TEXT NOT NULL DEFAULT '{}';
CREATE INDEX members_tier_review ON members (program_id, tier_review_at_us) WHERE tier_review_at_us IS NOT NULL;
CREATE INDEX members_last_activity ON members (program_id, last_activity_us)
    WHERE status IN ('active', 'suspended');

CREATE TABLE member_history (
    id             INTEGER PRIMARY KEY,
    program_id     INTEGER NOT NULL,
    member_id      INTEGER NOT NULL REFERENCES members (id),
    event_id       INTEGER NOT NULL,
    topic          TEXT    NOT NULL,
    from_value     TEXT,
    to_value       TEXT,
    reason         TEXT    NOT NULL,
    occurred_at_us INTEGER NOT NULL
);
CREATE INDEX member_history_member ON member_history (member_id, id);
