-- The job queue. Times are Unix microseconds (UTC), 0 for "not yet".
CREATE TABLE jobs (
	id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kind             TEXT NOT NULL,
	payload          TEXT NOT NULL DEFAULT 'null',
	state            TEXT NOT NULL,
	progress         DOUBLE PRECISION NOT NULL DEFAULT 0,
	message          TEXT NOT NULL DEFAULT '',
	error            TEXT NOT NULL DEFAULT '',
	attempts         BIGINT NOT NULL DEFAULT 0,
	max_attempts     BIGINT NOT NULL DEFAULT 3,
	lease_owner      TEXT NOT NULL DEFAULT '',
	lease_expires_at BIGINT NOT NULL DEFAULT 0,
	cancel_requested BIGINT NOT NULL DEFAULT 0,
	created_at       BIGINT NOT NULL,
	started_at       BIGINT NOT NULL DEFAULT 0,
	finished_at      BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX jobs_claim ON jobs (state, kind, id);
