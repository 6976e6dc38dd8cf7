-- A rolling board's scores were kept per local day (`d2026-11-04`) and summed over the
-- window's 30 days when read, which cost a walk of every member's days per read. They are
-- now kept per window, named by its last day (`30d2026-12-03`): a day's score counts in
-- the 30 windows that hold it. This turns each day's rows into those windows' rows.
INSERT INTO leaderboard_scores (program_id, board, period_key, member_id, score, shown)
WITH RECURSIVE ahead (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM ahead WHERE n < 29)
SELECT s.program_id, s.board, '30d' || date(substr(s.period_key, 2), '+' || ahead.n || ' days'),
       s.member_id, SUM(s.score), MAX(s.shown)
FROM leaderboard_scores s, ahead
WHERE s.period_key LIKE 'd%'
GROUP BY s.program_id, s.board, '30d' || date(substr(s.period_key, 2), '+' || ahead.n || ' days'), s.member_id;
DELETE FROM leaderboard_scores WHERE period_key LIKE 'd%';
