-- The version of the catalogue and the editions: every write to either
-- bumps it, whoever makes it (any replica, the command line), so a server
-- that keeps them in memory (datacall.CallCache) checks one row per request
-- instead of reading them again.
CREATE TABLE catalogue_version (
	id      integer PRIMARY KEY CHECK (id = 1),
	version bigint NOT NULL
);
INSERT INTO catalogue_version (id, version) VALUES (1, 1);

CREATE FUNCTION bump_catalogue_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE catalogue_version SET version = version + 1 WHERE id = 1;
	RETURN NULL;
END $$;

CREATE TRIGGER indicators_version AFTER INSERT OR UPDATE OR DELETE ON indicators
	FOR EACH STATEMENT EXECUTE FUNCTION bump_catalogue_version();
CREATE TRIGGER editions_version AFTER INSERT OR UPDATE OR DELETE ON editions
	FOR EACH STATEMENT EXECUTE FUNCTION bump_catalogue_version();
