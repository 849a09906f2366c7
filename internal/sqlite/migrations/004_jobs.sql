-- The job queue. Times are Unix microseconds (UTC), 0 for "not yet".
CREATE TABLE jobs (
	id               INTEGER PRIMARY KEY AUTOINCREMENT,
	kind             TEXT NOT NULL,
	payload          TEXT NOT NULL DEFAULT 'null',
	state            TEXT NOT NULL,
	progress         REAL NOT NULL DEFAULT 0,
	message          TEXT NOT NULL DEFAULT '',
	error            TEXT NOT NULL DEFAULT '',
	attempts         INTEGER NOT NULL DEFAULT 0,
	max_attempts     INTEGER NOT NULL DEFAULT 3,
	lease_owner      TEXT NOT NULL DEFAULT '',
	lease_expires_at INTEGER NOT NULL DEFAULT 0,
	cancel_requested INTEGER NOT NULL DEFAULT 0,
	created_at       INTEGER NOT NULL,
	started_at       INTEGER NOT NULL DEFAULT 0,
	finished_at      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX jobs_claim ON jobs (state, kind, id);
