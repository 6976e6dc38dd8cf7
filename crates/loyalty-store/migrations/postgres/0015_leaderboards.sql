-- Leaderboards: a member shows on them only after opting in, under a nickname if they
-- chose one.
ALTER TABLE members ADD COLUMN leaderboard_opt_in BIGINT NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN nickname TEXT;

-- Each member's score per board and period key (`m2026-11`; a local day `d2026-11-03`
-- for rolling boards), moved by each decision in the transaction that writes it.
CREATE TABLE leaderboard_scores (
    program_id BIGINT NOT NULL,
    board      TEXT   NOT NULL,
    period_key TEXT   NOT NULL,
    member_id  BIGINT NOT NULL REFERENCES members (id),
    score      BIGINT NOT NULL,
    PRIMARY KEY (program_id, board, period_key, member_id)
);
-- A board's top entries are the first rows of this index.
CREATE INDEX leaderboard_scores_ranked ON leaderboard_scores (program_id, board, period_key, score DESC, member_id);
