-- A generated admin key is shown once, at the start that made it, and kept only as the
-- hash in api_keys: the plaintext copy start-up used to print again goes. A lost key is
-- replaced with `loyalty keys rotate --program CODE`.

ALTER TABLE bootstrap_keys DROP COLUMN plaintext;
