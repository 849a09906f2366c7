-- The data call (package datacall): each city's values per edition with
-- their provenance, the submission workflow, and computed draft releases.
-- datacall_values has no foreign keys: row-by-row checks tripled the time of
-- a 300,000-value import; the store checks each batch's editions, cities and
-- indicators with one query per table instead (PutValues).
CREATE TABLE datacall_values (
	edition        TEXT NOT NULL,
	city           TEXT NOT NULL,
	indicator      TEXT NOT NULL,
	value          REAL NOT NULL,
	unit           TEXT NOT NULL,
	source         TEXT NOT NULL,
	data_year      INTEGER NOT NULL,
	method_note    TEXT NOT NULL DEFAULT '',
	estimated      INTEGER NOT NULL DEFAULT 0,
	comment        TEXT NOT NULL DEFAULT '',
	review_comment TEXT NOT NULL DEFAULT '',
	updated_by     TEXT NOT NULL DEFAULT '',
	updated_at     INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (edition, city, indicator)
);

CREATE TABLE datacall_submissions (
	edition    TEXT NOT NULL REFERENCES editions (code),
	city       TEXT NOT NULL REFERENCES cities (code),
	state      TEXT NOT NULL,
	comment    TEXT NOT NULL DEFAULT '',
	updated_by TEXT NOT NULL DEFAULT '',
	updated_at INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (edition, city)
);

CREATE TABLE draft_releases (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	edition        TEXT NOT NULL REFERENCES editions (code),
	hash           TEXT NOT NULL,
	data_hash      TEXT NOT NULL,
	engine_version TEXT NOT NULL,
	cities         INTEGER NOT NULL,
	created_by     TEXT NOT NULL DEFAULT '',
	created_at     INTEGER NOT NULL,
	body_json      TEXT NOT NULL
);
CREATE INDEX draft_releases_edition ON draft_releases (edition, id);
