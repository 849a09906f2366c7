-- The knowledge exchange's practice library (package exchange): cases,
-- their facet values (one row per field and value, for filters and
-- counts) and the full-text index. terms_text holds the case's index
-- terms (exchange.Terms: words, and Korean as two-character terms); the
-- FTS5 table mirrors it through triggers, rowid = case id.
CREATE TABLE exchange_cases (
	id              INTEGER PRIMARY KEY,
	source          TEXT NOT NULL,
	application_id  INTEGER UNIQUE REFERENCES prize_applications (id),
	title           TEXT NOT NULL,
	title_ko        TEXT NOT NULL DEFAULT '',
	summary         TEXT NOT NULL DEFAULT '',
	summary_ko      TEXT NOT NULL DEFAULT '',
	city_code       TEXT NOT NULL DEFAULT '',
	city_name       TEXT NOT NULL DEFAULT '',
	country         TEXT NOT NULL DEFAULT '',
	region          TEXT NOT NULL DEFAULT '',
	population_band TEXT NOT NULL DEFAULT '',
	esg_pillar      TEXT NOT NULL DEFAULT '',
	stage           TEXT NOT NULL DEFAULT '',
	budget_band     TEXT NOT NULL DEFAULT '',
	results         TEXT NOT NULL DEFAULT '',
	evidence        TEXT NOT NULL DEFAULT '',
	contacts        TEXT NOT NULL DEFAULT '',
	tags_json       TEXT NOT NULL DEFAULT '{}',
	links_json      TEXT NOT NULL DEFAULT '[]',
	visibility      TEXT NOT NULL CHECK (visibility IN ('public', 'members')),
	demo            INTEGER NOT NULL DEFAULT 0,
	created_by      INTEGER NOT NULL DEFAULT 0,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	terms_text      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX exchange_cases_visibility ON exchange_cases (visibility, id);

CREATE TABLE exchange_case_facets (
	case_id INTEGER NOT NULL REFERENCES exchange_cases (id) ON DELETE CASCADE,
	field   TEXT NOT NULL,
	value   TEXT NOT NULL,
	PRIMARY KEY (case_id, field, value)
);
CREATE INDEX exchange_case_facets_value ON exchange_case_facets (field, value, case_id);

CREATE VIRTUAL TABLE exchange_case_fts USING fts5 (terms, tokenize = 'unicode61 remove_diacritics 0');

CREATE TRIGGER exchange_cases_fts_insert AFTER INSERT ON exchange_cases BEGIN
	INSERT INTO exchange_case_fts (rowid, terms) VALUES (new.id, new.terms_text);
END;
CREATE TRIGGER exchange_cases_fts_update AFTER UPDATE OF terms_text ON exchange_cases BEGIN
	DELETE FROM exchange_case_fts WHERE rowid = old.id;
	INSERT INTO exchange_case_fts (rowid, terms) VALUES (new.id, new.terms_text);
END;
CREATE TRIGGER exchange_cases_fts_delete AFTER DELETE ON exchange_cases BEGIN
	DELETE FROM exchange_case_fts WHERE rowid = old.id;
END;
