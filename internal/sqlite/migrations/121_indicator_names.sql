-- An indicator's name, unit and definition in Korean beside the English
-- ones, shown on Korean pages (empty: the English text).
ALTER TABLE indicators ADD COLUMN name_ko TEXT NOT NULL DEFAULT '';
ALTER TABLE indicators ADD COLUMN unit_ko TEXT NOT NULL DEFAULT '';
ALTER TABLE indicators ADD COLUMN definition_ko TEXT NOT NULL DEFAULT '';
