-- Achievements and streaks live in member counters; counting the members who completed
-- an achievement reads them by key.
CREATE INDEX counters_by_key ON counters (program_id, key, value);
