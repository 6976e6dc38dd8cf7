-- Finding members by a prefix of their external id, email or name, ASCII letters in any
-- case: one index per field on its value with ASCII letters lower-cased (translate, not
-- lower(), whose folding depends on the database's locale while SQLite's folds ASCII
-- only), in the "C" collation (byte order, which is code point order in UTF-8), searched
-- with a range (>= prefix and < prefix followed by the highest character) that a prepared
-- statement's generic plan can use, unlike LIKE with a parameter. Tier and status filters
-- walk their own index in member id order, which is the order of the pages.
CREATE INDEX members_search_external_id ON members (program_id,
    (translate(external_id, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') COLLATE "C"));
CREATE INDEX members_search_email ON members (program_id,
    (translate(email, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') COLLATE "C"));
CREATE INDEX members_search_name ON members (program_id,
    (translate(name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') COLLATE "C"));
CREATE INDEX members_by_tier ON members (program_id, tier, id);
CREATE INDEX members_by_status ON members (program_id, status, id);
