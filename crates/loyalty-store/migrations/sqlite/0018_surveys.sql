-- Survey responses (the same as migrations/postgres/0018), written with the answer's event
-- in its transaction so that replay rebuilds them. The tier is the member's when they
-- answered; the NPS report counts scores by it and by the member's current segment.
CREATE TABLE survey_responses (
    id             INTEGER PRIMARY KEY,
    program_id     INTEGER NOT NULL,
    member_id      INTEGER NOT NULL REFERENCES members (id),
    event_id       INTEGER NOT NULL,
    survey         TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    score          INTEGER NOT NULL,
    comment        TEXT,
    order_id       TEXT,
    tier           TEXT,
    occurred_at_us INTEGER NOT NULL
);
-- A report reads one kind's responses of a period.
CREATE INDEX survey_responses_by_time ON survey_responses (program_id, kind, occurred_at_us);
CREATE INDEX survey_responses_by_member ON survey_responses (member_id, id);
