-- The data call's integrity is the database's, for every writer.
--
-- 1. datacall_values now references its edition, city and indicator.
-- Migration 101 left the foreign keys out and had the store check each
-- batch by hand, for a 300,000-value import's sake; measured again with
-- them (and the count triggers below), that import stays within its 10 s
-- target (README, "Data call"), and a check in the store covers only the
-- writes that go through it. Adding the constraints checks the existing
-- values. No index leads with city or indicator: cities and indicators are
-- never deleted nor renamed, and a city's change of region (a rare edit of
-- the directory, which moves its counts below) may scan the values.
ALTER TABLE datacall_values
	ADD CONSTRAINT datacall_values_edition_fkey FOREIGN KEY (edition) REFERENCES editions (code),
	ADD CONSTRAINT datacall_values_city_fkey FOREIGN KEY (city) REFERENCES cities (code),
	ADD CONSTRAINT datacall_values_indicator_fkey FOREIGN KEY (indicator) REFERENCES indicators (code);

-- 2. The value counts of migration 102 are kept by triggers, in the
-- transaction of the write that changes them, instead of by the data-call
-- service. n_optional needs the edition's optional indicators, which its
-- framework (JSON) names: triggers on editions keep them in a table.
CREATE TABLE datacall_optional_indicators (
	edition   TEXT NOT NULL,
	indicator TEXT NOT NULL,
	PRIMARY KEY (edition, indicator)
);

-- The edition's optional indicators follow its framework; a new framework
-- may make other indicators optional, so the cities' counts of optional
-- values are recounted (an edition's framework rarely changes once values
-- come in).
CREATE FUNCTION datacall_optional_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		DELETE FROM datacall_optional_indicators WHERE edition = OLD.code;
	END IF;
	IF TG_OP = 'DELETE' THEN
		RETURN NULL;
	END IF;
	INSERT INTO datacall_optional_indicators (edition, indicator)
	SELECT DISTINCT NEW.code, n->>'code' FROM jsonb_array_elements(NEW.framework_json::jsonb) n
	WHERE n->>'kind' = 'indicator' AND coalesce((n->>'optional')::boolean, false);
	IF TG_OP = 'UPDATE' THEN
		UPDATE datacall_city_counts cc SET n_optional = (SELECT count(*) FROM datacall_values v
			JOIN datacall_optional_indicators o ON o.edition = v.edition AND o.indicator = v.indicator
			WHERE v.edition = cc.edition AND v.city = cc.city)
		WHERE cc.edition = NEW.code;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER editions_optional_insert AFTER INSERT ON editions
	FOR EACH ROW EXECUTE FUNCTION datacall_optional_sync();
CREATE TRIGGER editions_optional_update AFTER UPDATE OF code, framework_json ON editions
	FOR EACH ROW WHEN (OLD.code IS DISTINCT FROM NEW.code OR OLD.framework_json IS DISTINCT FROM NEW.framework_json)
	EXECUTE FUNCTION datacall_optional_sync();
CREATE TRIGGER editions_optional_delete AFTER DELETE ON editions
	FOR EACH ROW EXECUTE FUNCTION datacall_optional_sync();

-- A value counts for its city, and for its indicator in its city's region
-- (accepted if its city's submission is). Inserts and deletes are counted
-- per statement, from the rows they touched (an import inserts 20,000
-- values a statement). Counts that fall to zero go, so the tables hold what
-- a recount would.
CREATE FUNCTION datacall_values_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	delta integer := CASE TG_OP WHEN 'DELETE' THEN -1 ELSE 1 END;
BEGIN
	INSERT INTO datacall_city_counts AS cc (edition, city, n_values, n_optional)
	SELECT v.edition, v.city, delta * count(*), delta * count(o.indicator) FROM changed v
	LEFT JOIN datacall_optional_indicators o ON o.edition = v.edition AND o.indicator = v.indicator
	GROUP BY v.edition, v.city
	ON CONFLICT (edition, city) DO UPDATE SET n_values = cc.n_values + excluded.n_values, n_optional = cc.n_optional + excluded.n_optional;
	INSERT INTO datacall_indicator_counts AS ic (edition, region, indicator, n_cities, n_accepted)
	SELECT v.edition, c.region_code, v.indicator, delta * count(*), delta * count(s.city) FROM changed v
	JOIN cities c ON c.code = v.city
	LEFT JOIN datacall_submissions s ON s.edition = v.edition AND s.city = v.city AND s.state = 'accepted'
	GROUP BY v.edition, c.region_code, v.indicator
	ON CONFLICT (edition, region, indicator) DO UPDATE SET n_cities = ic.n_cities + excluded.n_cities,
		n_accepted = ic.n_accepted + excluded.n_accepted;
	IF delta < 0 THEN -- only the editions the statement touched: a key prefix, not the whole tables
		DELETE FROM datacall_city_counts WHERE n_values = 0 AND edition IN (SELECT DISTINCT edition FROM changed);
		DELETE FROM datacall_indicator_counts WHERE n_cities = 0 AND edition IN (SELECT DISTINCT edition FROM changed);
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER datacall_values_count_insert AFTER INSERT ON datacall_values
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION datacall_values_count();
CREATE TRIGGER datacall_values_count_delete AFTER DELETE ON datacall_values
	REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION datacall_values_count();

-- Saves update values in place (an upsert sets neither key column): only a
-- change of key, row by row, moves a value from one count to another.
CREATE FUNCTION datacall_values_count_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO datacall_city_counts AS cc (edition, city, n_values, n_optional)
	SELECT m.edition, m.city, sum(m.delta), sum(CASE WHEN o.indicator IS NULL THEN 0 ELSE m.delta END)
	FROM (VALUES (OLD.edition, OLD.city, OLD.indicator, -1), (NEW.edition, NEW.city, NEW.indicator, 1)) m (edition, city, indicator, delta)
	LEFT JOIN datacall_optional_indicators o ON o.edition = m.edition AND o.indicator = m.indicator
	GROUP BY m.edition, m.city
	ON CONFLICT (edition, city) DO UPDATE SET n_values = cc.n_values + excluded.n_values, n_optional = cc.n_optional + excluded.n_optional;
	INSERT INTO datacall_indicator_counts AS ic (edition, region, indicator, n_cities, n_accepted)
	SELECT m.edition, c.region_code, m.indicator, sum(m.delta), sum(CASE WHEN s.city IS NULL THEN 0 ELSE m.delta END)
	FROM (VALUES (OLD.edition, OLD.city, OLD.indicator, -1), (NEW.edition, NEW.city, NEW.indicator, 1)) m (edition, city, indicator, delta)
	JOIN cities c ON c.code = m.city
	LEFT JOIN datacall_submissions s ON s.edition = m.edition AND s.city = m.city AND s.state = 'accepted'
	GROUP BY m.edition, c.region_code, m.indicator
	ON CONFLICT (edition, region, indicator) DO UPDATE SET n_cities = ic.n_cities + excluded.n_cities,
		n_accepted = ic.n_accepted + excluded.n_accepted;
	DELETE FROM datacall_city_counts WHERE n_values = 0 AND edition = OLD.edition;
	DELETE FROM datacall_indicator_counts WHERE n_cities = 0 AND edition = OLD.edition;
	RETURN NULL;
END $$;

CREATE TRIGGER datacall_values_count_update AFTER UPDATE OF edition, city, indicator ON datacall_values
	FOR EACH ROW WHEN (OLD.edition <> NEW.edition OR OLD.city <> NEW.city OR OLD.indicator <> NEW.indicator)
	EXECUTE FUNCTION datacall_values_count_move();

-- A submission accepted, or no longer accepted, moves its city's values
-- in or out of n_accepted.
CREATE FUNCTION datacall_submissions_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' AND OLD.edition = NEW.edition AND OLD.city = NEW.city
		AND (OLD.state = 'accepted') = (NEW.state = 'accepted') THEN
		RETURN NULL;
	END IF;
	IF TG_OP <> 'INSERT' AND OLD.state = 'accepted' THEN
		UPDATE datacall_indicator_counts ic SET n_accepted = ic.n_accepted - 1
		FROM cities c, datacall_values v
		WHERE c.code = OLD.city AND v.edition = OLD.edition AND v.city = OLD.city
			AND ic.edition = OLD.edition AND ic.region = c.region_code AND ic.indicator = v.indicator;
	END IF;
	IF TG_OP <> 'DELETE' AND NEW.state = 'accepted' THEN
		UPDATE datacall_indicator_counts ic SET n_accepted = ic.n_accepted + 1
		FROM cities c, datacall_values v
		WHERE c.code = NEW.city AND v.edition = NEW.edition AND v.city = NEW.city
			AND ic.edition = NEW.edition AND ic.region = c.region_code AND ic.indicator = v.indicator;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER datacall_submissions_count AFTER INSERT OR DELETE OR UPDATE OF edition, city, state ON datacall_submissions
	FOR EACH ROW EXECUTE FUNCTION datacall_submissions_count();

-- A city that changes region takes its values' counts along.
CREATE FUNCTION datacall_city_region_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE datacall_indicator_counts ic SET n_cities = ic.n_cities - 1,
		n_accepted = ic.n_accepted - (s.city IS NOT NULL)::integer
	FROM datacall_values v
	LEFT JOIN datacall_submissions s ON s.edition = v.edition AND s.city = v.city AND s.state = 'accepted'
	WHERE v.city = OLD.code AND ic.edition = v.edition AND ic.region = OLD.region_code AND ic.indicator = v.indicator;
	DELETE FROM datacall_indicator_counts WHERE region = OLD.region_code AND n_cities = 0;
	INSERT INTO datacall_indicator_counts AS ic (edition, region, indicator, n_cities, n_accepted)
	SELECT v.edition, NEW.region_code, v.indicator, 1, (s.city IS NOT NULL)::integer FROM datacall_values v
	LEFT JOIN datacall_submissions s ON s.edition = v.edition AND s.city = v.city AND s.state = 'accepted'
	WHERE v.city = NEW.code
	ON CONFLICT (edition, region, indicator) DO UPDATE SET n_cities = ic.n_cities + excluded.n_cities,
		n_accepted = ic.n_accepted + excluded.n_accepted;
	RETURN NULL;
END $$;

CREATE TRIGGER cities_region_counts AFTER UPDATE OF region_code ON cities
	FOR EACH ROW WHEN (OLD.region_code IS DISTINCT FROM NEW.region_code) EXECUTE FUNCTION datacall_city_region_count();

-- TRUNCATE fires no row or insert trigger: emptied values leave no counts,
-- emptied submissions no accepted value.
CREATE FUNCTION datacall_counts_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_TABLE_NAME = 'datacall_values' THEN
		DELETE FROM datacall_city_counts;
		DELETE FROM datacall_indicator_counts;
	ELSE
		UPDATE datacall_indicator_counts SET n_accepted = 0 WHERE n_accepted <> 0;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER datacall_values_count_truncate AFTER TRUNCATE ON datacall_values
	FOR EACH STATEMENT EXECUTE FUNCTION datacall_counts_truncated();
CREATE TRIGGER datacall_submissions_count_truncate AFTER TRUNCATE ON datacall_submissions
	FOR EACH STATEMENT EXECUTE FUNCTION datacall_counts_truncated();

-- The counts start from the values: those kept by the service until now
-- are rebuilt.
INSERT INTO datacall_optional_indicators (edition, indicator)
SELECT DISTINCT e.code, n->>'code' FROM editions e, jsonb_array_elements(e.framework_json::jsonb) n
WHERE n->>'kind' = 'indicator' AND coalesce((n->>'optional')::boolean, false);
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
