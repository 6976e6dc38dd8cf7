-- The reports' index (SQLite; the same as migrations/postgres/0008). Each posting carries
-- its entry's member and booking time, so that finance's reports sum the program side of
-- the journal from one covering index, with no join to the entries: what members hold at
-- any time is minus what the program accounts have posted, entry by entry.

ALTER TABLE postings ADD COLUMN holder_id INTEGER;
ALTER TABLE postings ADD COLUMN recorded_at_us INTEGER;
UPDATE postings SET (holder_id, recorded_at_us) =
    (SELECT e.member_id, e.recorded_at_us FROM journal_entries e WHERE e.id = postings.entry_id);

-- Only members' postings are looked up by member; leaving the program side out keeps the
-- planner on the reports' index for `member_id IS NULL`, and the index half the size.
DROP INDEX postings_member_account;
CREATE INDEX postings_member_account ON postings (member_id, account) WHERE member_id IS NOT NULL;
-- `member_id` is listed so that SQLite reads the index alone.
CREATE INDEX postings_books ON postings (program_id, holder_id, account, recorded_at_us, amount, member_id)
    WHERE member_id IS NULL;
