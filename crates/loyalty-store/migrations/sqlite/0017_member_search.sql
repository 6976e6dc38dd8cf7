-- Finding members by a prefix of their external id, email or name, ASCII letters in any
-- case: one index per field on the lower-cased value (SQLite's lower() folds ASCII only), searched with a range (>= prefix and
-- < prefix followed by the highest character), which SQLite's binary collation orders by
-- code point. Tier and status filters walk their own index in member id order, which is
-- the order of the pages.
CREATE INDEX members_search_external_id ON members (program_id, lower(external_id));
CREATE INDEX members_search_email ON members (program_id, lower(email));
CREATE INDEX members_search_name ON members (program_id, lower(name));
CREATE INDEX members_by_tier ON members (program_id, tier);
CREATE INDEX members_by_status ON members (program_id, status);
