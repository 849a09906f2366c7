-- The practice library's change sequence: every write of a case takes the
-- next number from exchange_library (one row, so writers take numbers in
-- commit order) and stores it in the case's seq. A store keeps the cases'
-- visibility and facet values in memory for search and reads only the
-- cases whose seq is past the last one it has seen.
ALTER TABLE exchange_cases ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX exchange_cases_seq ON exchange_cases (seq);
CREATE TABLE exchange_library (
	id  INTEGER PRIMARY KEY CHECK (id = 1),
	seq INTEGER NOT NULL
);
INSERT INTO exchange_library (id, seq) VALUES (1, 0);
