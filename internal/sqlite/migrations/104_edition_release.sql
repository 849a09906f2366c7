-- An edition's release configuration (stages, ratings, uncertainty) as JSON;
-- empty for the release package's defaults.
ALTER TABLE editions ADD COLUMN release_json TEXT NOT NULL DEFAULT '';
