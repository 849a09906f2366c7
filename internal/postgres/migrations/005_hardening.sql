-- Hardening (times are Unix microseconds, UTC).

-- Secrets every replica shares, made once by whichever starts first: the
-- HMAC keys of anonymous CSRF tokens and of flash messages.
CREATE TABLE server_secrets (
	name       TEXT PRIMARY KEY,
	value      TEXT NOT NULL,
	created_at BIGINT NOT NULL
);

-- Sign-in and password-reset throttling, shared by replicas. A key is a
-- kind and what it counts ("login-ip:203.0.113.7", "login-acct:a@b.org",
-- "login-pair:a@b.org|203.0.113.7", "forgot-ip:...", "forgot-acct:...").
CREATE TABLE auth_throttle (
	key           TEXT PRIMARY KEY,
	count         BIGINT NOT NULL,
	window_start  BIGINT NOT NULL,
	blocked_until BIGINT NOT NULL DEFAULT 0
);

-- The full problem list of a refused upload, as a gzipped CSV file that
-- only its uploader may download, for a day.
CREATE TABLE upload_reports (
	token_hash TEXT PRIMARY KEY,
	user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	file_name  TEXT NOT NULL,
	problems   BIGINT NOT NULL,
	body       BYTEA NOT NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX upload_reports_expiry ON upload_reports (expires_at);

-- What demo seeding created (users, editions), so that a start without
-- --demo finds demo accounts and the seeder touches only its own editions.
CREATE TABLE demo_seeded (
	kind       TEXT NOT NULL,
	code       TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (kind, code)
);
