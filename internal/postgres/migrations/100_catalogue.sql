-- Indicator catalogue and editions (package catalogue). The crosswalk,
-- framework and method are JSON documents read and written whole.
CREATE TABLE indicators (
	code           TEXT PRIMARY KEY,
	name           TEXT NOT NULL,
	definition     TEXT NOT NULL DEFAULT '',
	unit           TEXT NOT NULL DEFAULT '',
	direction      INTEGER NOT NULL DEFAULT 0,
	min_value      DOUBLE PRECISION,
	max_value      DOUBLE PRECISION,
	guidance       TEXT NOT NULL DEFAULT '',
	notes          TEXT NOT NULL DEFAULT '',
	pillar         TEXT NOT NULL,
	crosswalk_json TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE editions (
	code             TEXT PRIMARY KEY,
	name             TEXT NOT NULL,
	reference_year   INTEGER NOT NULL,
	previous_edition TEXT NOT NULL DEFAULT '',
	opens_at         BIGINT NOT NULL,
	closes_at        BIGINT NOT NULL,
	status           TEXT NOT NULL,
	jump_threshold   DOUBLE PRECISION NOT NULL,
	framework_json   TEXT NOT NULL,
	method_json      TEXT NOT NULL
);
