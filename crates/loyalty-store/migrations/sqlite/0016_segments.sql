-- RFM segments and churn risk, computed by the analytics job: one row per member with a
-- purchase in the program's window, all of a program's rows replaced by each run in one
-- transaction. No foreign key to members: a run writes a million rows at once, and the
-- job only ever writes members it read from the orders table.
CREATE TABLE member_segments (
    program_id       INTEGER NOT NULL,
    member_id        INTEGER NOT NULL,
    segment          TEXT    NOT NULL,
    r                INTEGER NOT NULL,
    f                INTEGER NOT NULL,
    m                INTEGER NOT NULL,
    recency_days     INTEGER NOT NULL,
    frequency        INTEGER NOT NULL,
    monetary_minor   INTEGER NOT NULL,
    churn_ratio      REAL    NOT NULL,
    churn_risk       TEXT    NOT NULL,
    typical_gap_days REAL    NOT NULL,
    computed_at_us   INTEGER NOT NULL,
    PRIMARY KEY (program_id, member_id)
);
-- Paging through one segment's members.
CREATE INDEX member_segments_by_segment ON member_segments (program_id, segment, member_id);

-- When the job last computed a program's segments (even if no member had a purchase),
-- with each segment's member count and spend as JSON, so that listing the segments reads
-- one row rather than a million.
CREATE TABLE segment_runs (
    program_id     INTEGER PRIMARY KEY,
    computed_at_us INTEGER NOT NULL,
    members        INTEGER NOT NULL,
    totals         TEXT    NOT NULL
);
