-- RFM segments and churn risk (PostgreSQL; the same as migrations/sqlite/0016), computed
-- by the analytics job: one row per member with a purchase in the program's window, all
-- of a program's rows replaced by each run in one transaction. No foreign key to members:
-- a run writes a million rows at once, and the job only ever writes members it read from
-- the orders table.
CREATE TABLE member_segments (
    program_id       BIGINT  NOT NULL,
    member_id        BIGINT  NOT NULL,
    segment          TEXT    NOT NULL,
    r                BIGINT  NOT NULL,
    f                BIGINT  NOT NULL,
    m                BIGINT  NOT NULL,
    recency_days     BIGINT  NOT NULL,
    frequency        BIGINT  NOT NULL,
    monetary_minor   BIGINT  NOT NULL,
    churn_ratio      DOUBLE PRECISION NOT NULL,
    churn_risk       TEXT    NOT NULL,
    typical_gap_days DOUBLE PRECISION NOT NULL,
    computed_at_us   BIGINT  NOT NULL,
    PRIMARY KEY (program_id, member_id)
);
-- Paging through one segment's members.
CREATE INDEX member_segments_by_segment ON member_segments (program_id, segment, member_id);

-- When the job last computed a program's segments (even if no member had a purchase),
-- with each segment's member count and spend as JSON, so that listing the segments reads
-- one row rather than a million.
CREATE TABLE segment_runs (
    program_id     BIGINT  PRIMARY KEY,
    computed_at_us BIGINT  NOT NULL,
    members        BIGINT  NOT NULL,
    totals         TEXT    NOT NULL
);
