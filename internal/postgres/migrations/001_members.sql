-- Members: world regions (fixed reference data), regional offices, member
-- cities, partner organisations.
CREATE TABLE regions (
	code TEXT PRIMARY KEY,
	name TEXT NOT NULL
);
INSERT INTO regions (code, name) VALUES
	('AF', 'Africa'),
	('AS', 'Asia'),
	('EU', 'Europe'),
	('LA', 'Latin America and the Caribbean'),
	('NA', 'Northern America'),
	('OC', 'Oceania');

CREATE TABLE offices (
	code        TEXT PRIMARY KEY,
	name        TEXT NOT NULL,
	region_code TEXT NOT NULL REFERENCES regions (code),
	host_city   TEXT NOT NULL DEFAULT ''
);

CREATE TABLE cities (
	code         TEXT PRIMARY KEY,
	name         TEXT NOT NULL,
	local_name   TEXT NOT NULL DEFAULT '',
	country      TEXT NOT NULL,
	region_code  TEXT NOT NULL REFERENCES regions (code),
	office_code  TEXT REFERENCES offices (code),
	latitude     DOUBLE PRECISION NOT NULL,
	longitude    DOUBLE PRECISION NOT NULL,
	population   BIGINT NOT NULL DEFAULT 0,
	status       TEXT NOT NULL,
	member_since TEXT NOT NULL DEFAULT ''
);
CREATE INDEX cities_region ON cities (region_code);

CREATE TABLE partners (
	code    TEXT PRIMARY KEY,
	name    TEXT NOT NULL,
	kind    TEXT NOT NULL DEFAULT '',
	country TEXT NOT NULL DEFAULT '',
	website TEXT NOT NULL DEFAULT ''
);
