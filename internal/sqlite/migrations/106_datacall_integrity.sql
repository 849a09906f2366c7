-- The data call's integrity is the database's, for every writer.
--
-- 1. datacall_values now references its edition, city and indicator.
-- Migration 101 left the foreign keys out and had the store check each
-- batch by hand, for a 300,000-value import's sake; measured again with
-- them (and the count triggers below), that import stays within its 10 s
-- target (README, "Data call"), and a check in the store covers only the
-- writes that go through it. SQLite cannot add a constraint to a table: the
-- table is rebuilt (the connection has foreign_keys on, so the copy checks
-- the existing values too). No index leads with city or indicator: cities
-- and indicators are never deleted nor renamed, and a city's change of
-- region (a rare edit of the directory, which moves its counts below) may
-- scan the values.
CREATE TABLE datacall_values_new (
	edition        TEXT NOT NULL REFERENCES editions (code),
	city           TEXT NOT NULL REFERENCES cities (code),
	indicator      TEXT NOT NULL REFERENCES indicators (code),
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
INSERT INTO datacall_values_new (edition, city, indicator, value, unit, source, data_year, method_note, estimated, comment,
	review_comment, updated_by, updated_at)
SELECT edition, city, indicator, value, unit, source, data_year, method_note, estimated, comment,
	review_comment, updated_by, updated_at
FROM datacall_values;
DROP TABLE datacall_values;
ALTER TABLE datacall_values_new RENAME TO datacall_values;

-- 2. The value counts of migration 102 are kept by triggers, in the
-- transaction of the write that changes them, instead of by the data-call
-- service. n_optional needs the edition's optional indicators, which its
-- framework (JSON) names: triggers on editions keep them in a table.
CREATE TABLE datacall_optional_indicators (
	edition   TEXT NOT NULL,
	indicator TEXT NOT NULL,
	PRIMARY KEY (edition, indicator)
);

CREATE TRIGGER editions_optional_insert AFTER INSERT ON editions
BEGIN
	INSERT OR IGNORE INTO datacall_optional_indicators (edition, indicator)
	SELECT NEW.code, json_extract(n.value, '$.code') FROM json_each(NEW.framework_json) n
	WHERE json_extract(n.value, '$.kind') = 'indicator' AND json_extract(n.value, '$.optional');
END;

-- A new framework may make other indicators optional: the cities' counts
-- of optional values are recounted (an edition's framework rarely changes
-- once values come in).
CREATE TRIGGER editions_optional_update AFTER UPDATE OF code, framework_json ON editions
	WHEN OLD.code IS NOT NEW.code OR OLD.framework_json IS NOT NEW.framework_json
BEGIN
	DELETE FROM datacall_optional_indicators WHERE edition = OLD.code;
	INSERT OR IGNORE INTO datacall_optional_indicators (edition, indicator)
	SELECT NEW.code, json_extract(n.value, '$.code') FROM json_each(NEW.framework_json) n
	WHERE json_extract(n.value, '$.kind') = 'indicator' AND json_extract(n.value, '$.optional');
	UPDATE datacall_city_counts SET n_optional = (SELECT count(*) FROM datacall_values v
		JOIN datacall_optional_indicators o ON o.edition = v.edition AND o.indicator = v.indicator
		WHERE v.edition = datacall_city_counts.edition AND v.city = datacall_city_counts.city)
	WHERE edition = NEW.code;
END;

CREATE TRIGGER editions_optional_delete AFTER DELETE ON editions
BEGIN
	DELETE FROM datacall_optional_indicators WHERE edition = OLD.code;
END;

-- A value counts for its city, and for its indicator in its city's region
-- (accepted if its city's submission is).
CREATE TRIGGER datacall_values_count_insert AFTER INSERT ON datacall_values
BEGIN
	INSERT INTO datacall_city_counts (edition, city, n_values, n_optional)
	VALUES (NEW.edition, NEW.city, 1, EXISTS (SELECT 1 FROM datacall_optional_indicators
		WHERE edition = NEW.edition AND indicator = NEW.indicator))
	ON CONFLICT (edition, city) DO UPDATE SET n_values = n_values + 1, n_optional = n_optional + excluded.n_optional;
	INSERT INTO datacall_indicator_counts (edition, region, indicator, n_cities, n_accepted)
	SELECT NEW.edition, c.region_code, NEW.indicator, 1, EXISTS (SELECT 1 FROM datacall_submissions s
		WHERE s.edition = NEW.edition AND s.city = NEW.city AND s.state = 'accepted')
	FROM cities c WHERE c.code = NEW.city
	ON CONFLICT (edition, region, indicator) DO UPDATE SET n_cities = n_cities + 1, n_accepted = n_accepted + excluded.n_accepted;
END;

-- Counts that fall to zero go, so the tables hold what a recount would.
CREATE TRIGGER datacall_values_count_delete AFTER DELETE ON datacall_values
BEGIN
	UPDATE datacall_city_counts SET n_values = n_values - 1,
		n_optional = n_optional - EXISTS (SELECT 1 FROM datacall_optional_indicators WHERE edition = OLD.edition AND indicator = OLD.indicator)
	WHERE edition = OLD.edition AND city = OLD.city;
	DELETE FROM datacall_city_counts WHERE edition = OLD.edition AND city = OLD.city AND n_values = 0;
	UPDATE datacall_indicator_counts SET n_cities = n_cities - 1,
		n_accepted = n_accepted - EXISTS (SELECT 1 FROM datacall_submissions s
			WHERE s.edition = OLD.edition AND s.city = OLD.city AND s.state = 'accepted')
	WHERE edition = OLD.edition AND region = (SELECT region_code FROM cities WHERE code = OLD.city) AND indicator = OLD.indicator;
	DELETE FROM datacall_indicator_counts WHERE edition = OLD.edition AND indicator = OLD.indicator AND n_cities = 0;
END;

-- Saves update values in place (an upsert sets neither key column): only a
-- change of key moves a value from one count to another.
CREATE TRIGGER datacall_values_count_update AFTER UPDATE OF edition, city, indicator ON datacall_values
	WHEN OLD.edition IS NOT NEW.edition OR OLD.city IS NOT NEW.city OR OLD.indicator IS NOT NEW.indicator
BEGIN
	UPDATE datacall_city_counts SET n_values = n_values - 1,
		n_optional = n_optional - EXISTS (SELECT 1 FROM datacall_optional_indicators WHERE edition = OLD.edition AND indicator = OLD.indicator)
	WHERE edition = OLD.edition AND city = OLD.city;
	DELETE FROM datacall_city_counts WHERE edition = OLD.edition AND city = OLD.city AND n_values = 0;
	UPDATE datacall_indicator_counts SET n_cities = n_cities - 1,
		n_accepted = n_accepted - EXISTS (SELECT 1 FROM datacall_submissions s
			WHERE s.edition = OLD.edition AND s.city = OLD.city AND s.state = 'accepted')
	WHERE edition = OLD.edition AND region = (SELECT region_code FROM cities WHERE code = OLD.city) AND indicator = OLD.indicator;
	DELETE FROM datacall_indicator_counts WHERE edition = OLD.edition AND indicator = OLD.indicator AND n_cities = 0;
	INSERT INTO datacall_city_counts (edition, city, n_values, n_optional)
	VALUES (NEW.edition, NEW.city, 1, EXISTS (SELECT 1 FROM datacall_optional_indicators
		WHERE edition = NEW.edition AND indicator = NEW.indicator))
	ON CONFLICT (edition, city) DO UPDATE SET n_values = n_values + 1, n_optional = n_optional + excluded.n_optional;
	INSERT INTO datacall_indicator_counts (edition, region, indicator, n_cities, n_accepted)
	SELECT NEW.edition, c.region_code, NEW.indicator, 1, EXISTS (SELECT 1 FROM datacall_submissions s
		WHERE s.edition = NEW.edition AND s.city = NEW.city AND s.state = 'accepted')
	FROM cities c WHERE c.code = NEW.city
	ON CONFLICT (edition, region, indicator) DO UPDATE SET n_cities = n_cities + 1, n_accepted = n_accepted + excluded.n_accepted;
END;

-- A submission accepted, or no longer accepted, moves its city's values
-- in or out of n_accepted.
CREATE TRIGGER datacall_submissions_count_insert AFTER INSERT ON datacall_submissions
	WHEN NEW.state = 'accepted'
BEGIN
	UPDATE datacall_indicator_counts SET n_accepted = n_accepted + 1
	WHERE edition = NEW.edition AND region = (SELECT region_code FROM cities WHERE code = NEW.city)
		AND indicator IN (SELECT indicator FROM datacall_values WHERE edition = NEW.edition AND city = NEW.city);
END;

CREATE TRIGGER datacall_submissions_count_update AFTER UPDATE OF edition, city, state ON datacall_submissions
	WHEN (OLD.state = 'accepted' OR NEW.state = 'accepted')
		AND (OLD.state IS NOT NEW.state OR OLD.edition IS NOT NEW.edition OR OLD.city IS NOT NEW.city)
BEGIN
	UPDATE datacall_indicator_counts SET n_accepted = n_accepted - 1
	WHERE OLD.state = 'accepted' AND edition = OLD.edition AND region = (SELECT region_code FROM cities WHERE code = OLD.city)
		AND indicator IN (SELECT indicator FROM datacall_values WHERE edition = OLD.edition AND city = OLD.city);
	UPDATE datacall_indicator_counts SET n_accepted = n_accepted + 1
	WHERE NEW.state = 'accepted' AND edition = NEW.edition AND region = (SELECT region_code FROM cities WHERE code = NEW.city)
		AND indicator IN (SELECT indicator FROM datacall_values WHERE edition = NEW.edition AND city = NEW.city);
END;

CREATE TRIGGER datacall_submissions_count_delete AFTER DELETE ON datacall_submissions
	WHEN OLD.state = 'accepted'
BEGIN
	UPDATE datacall_indicator_counts SET n_accepted = n_accepted - 1
	WHERE edition = OLD.edition AND region = (SELECT region_code FROM cities WHERE code = OLD.city)
		AND indicator IN (SELECT indicator FROM datacall_values WHERE edition = OLD.edition AND city = OLD.city);
END;

-- A city that changes region takes its values' counts along.
CREATE TRIGGER cities_region_counts AFTER UPDATE OF region_code ON cities
	WHEN OLD.region_code IS NOT NEW.region_code
BEGIN
	UPDATE datacall_indicator_counts SET n_cities = n_cities - 1,
		n_accepted = n_accepted - EXISTS (SELECT 1 FROM datacall_submissions s
			WHERE s.edition = datacall_indicator_counts.edition AND s.city = OLD.code AND s.state = 'accepted')
	WHERE region = OLD.region_code
		AND (edition, indicator) IN (SELECT edition, indicator FROM datacall_values WHERE city = OLD.code);
	DELETE FROM datacall_indicator_counts WHERE region = OLD.region_code AND n_cities = 0;
	INSERT INTO datacall_indicator_counts (edition, region, indicator, n_cities, n_accepted)
	SELECT v.edition, NEW.region_code, v.indicator, 1, EXISTS (SELECT 1 FROM datacall_submissions s
		WHERE s.edition = v.edition AND s.city = NEW.code AND s.state = 'accepted')
	FROM datacall_values v WHERE v.city = NEW.code
	ON CONFLICT (edition, region, indicator) DO UPDATE SET n_cities = n_cities + 1, n_accepted = n_accepted + excluded.n_accepted;
END;

-- The counts start from the values: those kept by the service until now
-- are rebuilt.
INSERT INTO datacall_optional_indicators (edition, indicator)
SELECT DISTINCT e.code, json_extract(n.value, '$.code') FROM editions e, json_each(e.framework_json) n
WHERE json_extract(n.value, '$.kind') = 'indicator' AND json_extract(n.value, '$.optional');
DELETE FROM datacall_city_counts;
DELETE FROM datacall_indicator_counts;
INSERT INTO datacall_city_counts (edition, city, n_values, n_optional)
SELECT v.edition, v.city, count(*), count(o.indicator) FROM datacall_values v
LEFT JOIN datacall_optional_indicators o ON o.edition = v.edition AND o.indicator = v.indicator
GROUP BY v.edition, v.city;
INSERT INTO datacall_indicator_counts (edition, region, indicator, n_cities, n_accepted)
SELECT v.edition, c.region_code, v.indicator, count(*), count(s.city) FROM datacall_values v
JOIN cities c ON c.code = v.city
LEFT JOIN datacall_submissions s ON s.edition = v.edition AND s.city = v.city AND s.state = 'accepted'
GROUP BY v.edition, c.region_code, v.indicator;
