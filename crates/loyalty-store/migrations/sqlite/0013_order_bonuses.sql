-- The bonuses an order earned as a whole (sqlite; the same as the other backend's 0013):
-- a return re-judges them on what the order keeps and takes back those it no longer
-- earns. Orders recorded before keep none, as before.

ALTER TABLE orders ADD COLUMN bonuses TEXT NOT NULL DEFAULT '[]';
