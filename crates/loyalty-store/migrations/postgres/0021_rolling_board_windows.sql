-- A rolling board's scores were kept per local day (`d2026-11-04`) and summed over the
-- window's 30 days when read, which cost a walk of every member's days per read. They are
-- now kept per window, named by its last day (`30d2026-12-03`): a day's score counts in
-- the 30 windows that hold it. This turns each day's rows into those windows' rows.
INSERT INTO leaderboard_scores (program_id, board, period_key, member_id, score, shown)
SELECT s.program_id, s.board, '30d' || to_char(CAST(substr(s.period_key, 2) AS DATE) + ahead.n, 'YYYY-MM-DD'),
       s.member_id, SUM(s.score), MAX(s.shown)
FROM leaderboard_scores s, generate_series(0, 29) AS ahead (n)
WHERE s.period_key LIKE 'd%'
GROUP BY 1, 2, 3, 4;
DELETE FROM leaderboard_scores WHERE period_key LIKE 'd%';
