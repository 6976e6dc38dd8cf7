-- Where each program version came from: a program file installed at start-up (`file`) or
-- a change over the API (`api`), so that a restart with the same file does not undo the
-- API's changes. Versions stored before this migration are taken as file-made.

ALTER TABLE program_versions ADD COLUMN origin TEXT NOT NULL DEFAULT 'file' CHECK (origin IN ('file', 'api'));
