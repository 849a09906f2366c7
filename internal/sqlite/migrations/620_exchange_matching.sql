-- Needs and strengths, and partner-matching rounds (package exchange,
-- matching.go). A city's needs and strengths are derived when read; what
-- is stored is what its focal point (or the secretariat) did with them:
-- an item confirmed or removed, or an item the city states itself
-- (action 'add'). A matching round has its weights, the cities that opted
-- in with their places, and the suggestions of its last run with each
-- city's answer. Times are Unix microseconds (UTC).
CREATE TABLE exchange_item_overrides (
	city       TEXT NOT NULL REFERENCES cities (code) ON DELETE CASCADE,
	side       TEXT NOT NULL CHECK (side IN ('need', 'strength')),
	kind       TEXT NOT NULL,
	ref        TEXT NOT NULL,
	theme      TEXT NOT NULL,
	action     TEXT NOT NULL CHECK (action IN ('confirm', 'remove', 'add')),
	name       TEXT NOT NULL DEFAULT '',
	note       TEXT NOT NULL DEFAULT '',
	by_email   TEXT NOT NULL,
	at         INTEGER NOT NULL,
	PRIMARY KEY (city, side, kind, ref, theme)
);

CREATE TABLE exchange_rounds (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	title       TEXT NOT NULL,
	title_ko    TEXT NOT NULL DEFAULT '',
	w_needs     REAL NOT NULL,
	w_context   REAL NOT NULL,
	w_practical REAL NOT NULL,
	state       TEXT NOT NULL CHECK (state IN ('open', 'published', 'closed')),
	runs        INTEGER NOT NULL DEFAULT 0,
	result_json TEXT NOT NULL DEFAULT '{}',
	demo        INTEGER NOT NULL DEFAULT 0,
	created_by  TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	run_at      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE exchange_round_opts (
	round_id   INTEGER NOT NULL REFERENCES exchange_rounds (id) ON DELETE CASCADE,
	city       TEXT NOT NULL REFERENCES cities (code) ON DELETE CASCADE,
	learner    INTEGER NOT NULL CHECK (learner BETWEEN 0 AND 10),
	mentor     INTEGER NOT NULL CHECK (mentor BETWEEN 0 AND 10),
	languages  TEXT NOT NULL DEFAULT '',
	by_email   TEXT NOT NULL,
	at         INTEGER NOT NULL,
	PRIMARY KEY (round_id, city)
);

CREATE TABLE exchange_round_pairs (
	round_id       INTEGER NOT NULL REFERENCES exchange_rounds (id) ON DELETE CASCADE,
	learner        TEXT NOT NULL,
	mentor         TEXT NOT NULL,
	score          INTEGER NOT NULL,
	needs          REAL NOT NULL,
	context        REAL NOT NULL,
	practical      REAL NOT NULL,
	reasons_json   TEXT NOT NULL DEFAULT '[]',
	learner_answer TEXT NOT NULL DEFAULT '' CHECK (learner_answer IN ('', 'accepted', 'declined')),
	mentor_answer  TEXT NOT NULL DEFAULT '' CHECK (mentor_answer IN ('', 'accepted', 'declined')),
	run            INTEGER NOT NULL,
	answered_at    INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (round_id, learner, mentor)
);
CREATE INDEX exchange_round_pairs_learner ON exchange_round_pairs (learner);
CREATE INDEX exchange_round_pairs_mentor ON exchange_round_pairs (mentor);
