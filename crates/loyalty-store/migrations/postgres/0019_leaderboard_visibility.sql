-- (PostgreSQL; the same as migrations/sqlite/0019.)
-- Whether a score counts on the boards: its member opted in and is not closed. Copied
-- onto each score row (and re-marked by the decision that changes either fact) so that a
-- member's rank, the number of shown scores above theirs, is a count over one index
-- rather than a join of every score row to its member.
ALTER TABLE leaderboard_scores ADD COLUMN shown BIGINT NOT NULL DEFAULT 0;
UPDATE leaderboard_scores SET shown = 1 WHERE member_id IN (
    SELECT id FROM members WHERE leaderboard_opt_in = 1 AND status IN ('active', 'suspended'));

-- A board's top entries are the first shown rows of this index, and a rank counts its
-- shown rows above a score; it replaces the index on (board, period, score).
DROP INDEX leaderboard_scores_ranked;
CREATE INDEX leaderboard_scores_shown ON leaderboard_scores (program_id, board, period_key, shown, score DESC, member_id);
-- A member's own scores (what a change of opt-in or status re-marks, and the score their
-- rank is counted against), read from the index alone: with a narrower index SQLite's
-- planner walks the board's index for a list of period keys instead.
CREATE INDEX leaderboard_scores_member ON leaderboard_scores (member_id, program_id, board, period_key, score);
