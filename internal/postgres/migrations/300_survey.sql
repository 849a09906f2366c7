-- The people-centric survey (package survey): one survey per edition (its
-- wave), its instrument versions (JSON documents), invitation codes (only
-- their hashes, with no link to a response), responses (no IP address, no
-- cookie, no free text; the time kept to the hour), population margins
-- and the computed figures (one document per edition, replaced whole).
CREATE TABLE surveys (
	edition      TEXT PRIMARY KEY REFERENCES editions (code),
	opens_at     BIGINT NOT NULL,
	closes_at    BIGINT NOT NULL,
	pooling_json TEXT NOT NULL,
	trim_at      DOUBLE PRECISION NOT NULL DEFAULT 0,
	demo         INTEGER NOT NULL DEFAULT 0,
	updated_by   TEXT NOT NULL DEFAULT '',
	updated_at   BIGINT NOT NULL
);

CREATE TABLE survey_instruments (
	edition    TEXT NOT NULL REFERENCES surveys (edition),
	version    INTEGER NOT NULL,
	created_by TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	body_json  TEXT NOT NULL,
	PRIMARY KEY (edition, version)
);

CREATE TABLE survey_invites (
	edition   TEXT NOT NULL REFERENCES surveys (edition),
	code_hash TEXT NOT NULL,
	city      TEXT NOT NULL REFERENCES cities (code),
	used      INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (edition, code_hash)
);

CREATE TABLE survey_responses (
	id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	edition         TEXT NOT NULL REFERENCES surveys (edition),
	city            TEXT NOT NULL REFERENCES cities (code),
	lang            TEXT NOT NULL,
	version         INTEGER NOT NULL,
	source          TEXT NOT NULL,
	seconds         DOUBLE PRECISION NOT NULL DEFAULT 0,
	submitted_at    BIGINT NOT NULL,
	answers_json    TEXT NOT NULL,
	priorities      TEXT NOT NULL DEFAULT '',
	flags           TEXT NOT NULL DEFAULT '',
	excluded        INTEGER NOT NULL DEFAULT 0,
	override        TEXT NOT NULL DEFAULT '',
	override_reason TEXT NOT NULL DEFAULT '',
	override_by     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX survey_responses_city ON survey_responses (edition, city);

CREATE TABLE survey_margins (
	edition    TEXT NOT NULL REFERENCES surveys (edition),
	city       TEXT NOT NULL REFERENCES cities (code),
	variable   TEXT NOT NULL,
	category   TEXT NOT NULL,
	population DOUBLE PRECISION NOT NULL,
	PRIMARY KEY (edition, city, variable, category)
);

CREATE TABLE survey_results (
	edition     TEXT PRIMARY KEY REFERENCES surveys (edition),
	version     INTEGER NOT NULL,
	computed_by TEXT NOT NULL DEFAULT '',
	computed_at BIGINT NOT NULL,
	body_json   TEXT NOT NULL
);
