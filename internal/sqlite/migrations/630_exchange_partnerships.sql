-- Partnerships of the knowledge exchange (package exchange, partnership.go):
-- two member cities, or a member city and a partner organisation; their
-- activities; the agreement (MoU) file's record (its bytes by content
-- beside SQLite, in chunk rows on PostgreSQL, as the prize's attachments). Each partnership is a case of the library (case_id).
CREATE TABLE exchange_partnerships (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	city_a         TEXT NOT NULL REFERENCES cities (code),
	city_b         TEXT REFERENCES cities (code),
	partner        TEXT REFERENCES partners (code),
	title          TEXT NOT NULL,
	title_ko       TEXT NOT NULL DEFAULT '',
	summary        TEXT NOT NULL DEFAULT '',
	summary_ko     TEXT NOT NULL DEFAULT '',
	themes_json    TEXT NOT NULL DEFAULT '[]',
	start_date     TEXT NOT NULL,
	end_date       TEXT NOT NULL DEFAULT '',
	status         TEXT NOT NULL CHECK (status IN ('proposed', 'active', 'completed', 'lapsed')),
	agreement_date TEXT NOT NULL DEFAULT '',
	agreement_file TEXT,
	outcomes       TEXT NOT NULL DEFAULT '',
	visibility     TEXT NOT NULL CHECK (visibility IN ('public', 'members')),
	case_id        INTEGER UNIQUE REFERENCES exchange_cases (id),
	demo           INTEGER NOT NULL DEFAULT 0,
	created_by     INTEGER NOT NULL DEFAULT 0,
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL,
	CHECK ((city_b IS NULL) <> (partner IS NULL))
);
CREATE INDEX exchange_partnerships_city_a ON exchange_partnerships (city_a);
CREATE INDEX exchange_partnerships_city_b ON exchange_partnerships (city_b);

CREATE TABLE exchange_partnership_activities (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	partnership_id INTEGER NOT NULL REFERENCES exchange_partnerships (id) ON DELETE CASCADE,
	kind           TEXT NOT NULL,
	title          TEXT NOT NULL,
	start_date     TEXT NOT NULL,
	end_date       TEXT NOT NULL DEFAULT '',
	report         TEXT NOT NULL DEFAULT '',
	created_by     INTEGER NOT NULL DEFAULT 0,
	created_at     INTEGER NOT NULL
);
CREATE INDEX exchange_partnership_activities_p ON exchange_partnership_activities (partnership_id, start_date);

CREATE TABLE exchange_partnership_files (
	id             TEXT PRIMARY KEY,
	partnership_id INTEGER NOT NULL REFERENCES exchange_partnerships (id) ON DELETE CASCADE,
	name           TEXT NOT NULL,
	type           TEXT NOT NULL,
	size           INTEGER NOT NULL DEFAULT 0,
	sha256         TEXT NOT NULL DEFAULT '',
	created_at     INTEGER NOT NULL
);
CREATE INDEX exchange_partnership_files_sha256 ON exchange_partnership_files (sha256);

CREATE TABLE exchange_partnership_file_chunks (
	file_id TEXT NOT NULL REFERENCES exchange_partnership_files (id) ON DELETE CASCADE,
	seq     INTEGER NOT NULL,
	data    BLOB NOT NULL,
	PRIMARY KEY (file_id, seq)
);
