-- Member tokens: the secrets they are signed with (each program's own, a new one made a
-- day after the last), and per member the generation a token must carry, which revoking
-- all of a member's tokens moves on.
CREATE TABLE member_token_secrets (
    id            INTEGER PRIMARY KEY,
    program_id    INTEGER NOT NULL REFERENCES programs (id),
    secret        TEXT   NOT NULL,
    created_at_us INTEGER NOT NULL
);
CREATE INDEX member_token_secrets_program ON member_token_secrets (program_id, created_at_us);
CREATE TABLE member_token_generations (
    program_id  INTEGER NOT NULL REFERENCES programs (id),
    external_id TEXT   NOT NULL,
    generation  INTEGER NOT NULL,
    PRIMARY KEY (program_id, external_id)
);
