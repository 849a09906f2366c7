-- Notifications (package notify): notices for what people must act on, one
-- row per person, kind and dedupe key (the unique constraint is what keeps
-- two servers running the same reminder job from notifying twice), each
-- person's delivery choice per kind and language, and the scheduler's run
-- slots (the replica that inserts a slot's row enqueues its job). Times are
-- Unix microseconds (UTC), 0 for "never". An e-mail's own headers (the
-- one-click unsubscribe of RFC 8058) travel with it in the outbox.
CREATE TABLE notify_notices (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	kind       TEXT NOT NULL,
	dedupe_key TEXT NOT NULL,
	msg_key    TEXT NOT NULL,
	args_json  TEXT NOT NULL DEFAULT '[]',
	url        TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	read_at    INTEGER NOT NULL DEFAULT 0,
	mail_state TEXT NOT NULL,
	mailed_at  INTEGER NOT NULL DEFAULT 0,
	UNIQUE (user_id, kind, dedupe_key)
);
CREATE INDEX notify_notices_user ON notify_notices (user_id, id);
CREATE INDEX notify_notices_unread ON notify_notices (user_id) WHERE read_at = 0;
CREATE INDEX notify_notices_digest ON notify_notices (user_id) WHERE mail_state = 'pending';

CREATE TABLE notify_prefs (
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	kind    TEXT NOT NULL,
	mode    TEXT NOT NULL,
	PRIMARY KEY (user_id, kind)
);

CREATE TABLE notify_people (
	user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	lang    TEXT NOT NULL
);

CREATE TABLE notify_runs (
	job        TEXT NOT NULL,
	slot       TEXT NOT NULL,
	owner      TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (job, slot)
);

-- Focal points by city: the reminders' and the home's look-up.
CREATE INDEX notify_users_city ON users (city_code, role);

ALTER TABLE mail_outbox ADD COLUMN headers TEXT NOT NULL DEFAULT '';
