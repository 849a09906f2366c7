-- The version of the catalogue and the editions: every write to either
-- bumps it, whoever makes it (any replica, the command line), so a server
-- that keeps them in memory (datacall.CallCache) checks one row per request
-- instead of reading them again.
CREATE TABLE catalogue_version (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	version INTEGER NOT NULL
);
INSERT INTO catalogue_version (id, version) VALUES (1, 1);

CREATE TRIGGER indicators_insert_version AFTER INSERT ON indicators
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER indicators_update_version AFTER UPDATE ON indicators
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER indicators_delete_version AFTER DELETE ON indicators
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER editions_insert_version AFTER INSERT ON editions
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER editions_update_version AFTER UPDATE ON editions
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER editions_delete_version AFTER DELETE ON editions
BEGIN UPDATE catalogue_version SET version = version + 1 WHERE id = 1; END;
