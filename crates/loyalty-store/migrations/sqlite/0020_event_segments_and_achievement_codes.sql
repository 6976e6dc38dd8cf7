-- The member's segment as `decide` saw it, for events judged by a program whose campaigns
-- or achievements target segments: replay judges the event by it, not by the segments
-- the analytics job has computed since. NULL: the event looked at no segment; '': the
-- member had none.
ALTER TABLE events ADD COLUMN segment TEXT;

-- The achievement whose completion issued a reward code, so that a return taking the
-- achievement back finds the code to void.
ALTER TABLE reward_instances ADD COLUMN achievement TEXT;
