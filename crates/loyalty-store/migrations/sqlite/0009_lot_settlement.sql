-- How each lot's points left it (SQLite; the same as migrations/postgres/0009), for the
-- breakage report's cohorts: what expired (by the expiry job, or forfeited when the
-- account closed) and what a return, an adjustment or a rejected review took back. The
-- rest of what is no longer remaining was redeemed. Lots settled before this migration
-- count as redeemed.

ALTER TABLE lots ADD COLUMN expired  INTEGER NOT NULL DEFAULT 0 CHECK (expired >= 0);
ALTER TABLE lots ADD COLUMN reversed INTEGER NOT NULL DEFAULT 0 CHECK (reversed >= 0);
