-- When each of a program's jobs last finished a run (postgres; the same as the other backend's
-- 0012). The birthday job gives the birthdays of every day since its last run, so a day
-- the server was down loses no bonus.

CREATE TABLE job_runs (
    program_id  BIGINT NOT NULL REFERENCES programs (id),
    job         TEXT NOT NULL,
    last_run_us BIGINT NOT NULL,
    PRIMARY KEY (program_id, job)
);
