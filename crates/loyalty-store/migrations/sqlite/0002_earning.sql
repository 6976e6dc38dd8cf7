-- Everything the earning rules need: member profiles and referrals, lots that know where
-- their points came from and whether they are held for review, orders that know when they
-- happened and what they are worth, counters, and program versions in force from a time.

ALTER TABLE members ADD COLUMN birth_date TEXT;
ALTER TABLE members ADD COLUMN tier TEXT;
-- A JSON array of tag codes.
ALTER TABLE members ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE members ADD COLUMN referral_code TEXT;
ALTER TABLE members ADD COLUMN referred_by INTEGER REFERENCES members (id);
ALTER TABLE members ADD COLUMN pending_review INTEGER NOT NULL DEFAULT 0;
UPDATE members SET referral_code = 'M' || CAST(id AS TEXT) WHERE referral_code IS NULL;
CREATE UNIQUE INDEX members_referral_code ON members (program_id, referral_code);

ALTER TABLE lots ADD COLUMN source TEXT NOT NULL DEFAULT 'purchase';
-- 1 while the lot is held for a fraud review.
ALTER TABLE lots ADD COLUMN in_review INTEGER NOT NULL DEFAULT 0;
CREATE INDEX lots_member_earned ON lots (member_id, earned_at_us);

-- What the order is worth after returns, for spend windows.
ALTER TABLE orders ADD COLUMN amount_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN occurred_at_us INTEGER NOT NULL DEFAULT 0;
CREATE INDEX orders_member_occurred ON orders (member_id, occurred_at_us);

-- Counts kept for members (member_id) or the whole program (member_id 0).
CREATE TABLE counters (
    program_id INTEGER NOT NULL,
    member_id  INTEGER NOT NULL,
    key        TEXT    NOT NULL,
    value      INTEGER NOT NULL,
    PRIMARY KEY (program_id, member_id, key)
);

-- Events are judged by the version in force when they occurred.
ALTER TABLE program_versions ADD COLUMN effective_from_us INTEGER NOT NULL DEFAULT 0;
UPDATE program_versions SET effective_from_us = created_at_us WHERE version > 1;
