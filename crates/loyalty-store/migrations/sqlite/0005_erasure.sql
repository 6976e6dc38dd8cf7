-- Erasures (sqlite; the same as the other backend's 0005): when a member's personal data
-- was erased. The row names the member by the engine's id only, so the record of an
-- erasure holds nothing of what it erased.

CREATE TABLE erasures (
    id           INTEGER PRIMARY KEY,
    program_id   INTEGER NOT NULL REFERENCES programs (id),
    member_id    INTEGER NOT NULL REFERENCES members (id),
    erased_at_us INTEGER NOT NULL
);
CREATE INDEX erasures_member ON erasures (member_id);
