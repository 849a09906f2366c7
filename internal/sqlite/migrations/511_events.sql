-- The network's events (package events): events, the registrations of
-- member cities' delegates (one row per event and person, ordered by
-- updated_at then id: the waiting list's order) and the registration
-- notices a notifier reads (dedupe_key unique).
CREATE TABLE network_events (
	id          INTEGER PRIMARY KEY,
	kind        TEXT NOT NULL CHECK (kind IN ('ceremony', 'general_assembly', 'kickoff', 'study_visit')),
	title       TEXT NOT NULL,
	agenda      TEXT NOT NULL DEFAULT '',
	place       TEXT NOT NULL DEFAULT '',
	link        TEXT NOT NULL DEFAULT '',
	languages   TEXT NOT NULL DEFAULT '',
	time_zone   TEXT NOT NULL,
	start_at    INTEGER NOT NULL,
	end_at      INTEGER NOT NULL,
	capacity    INTEGER NOT NULL CHECK (capacity > 0),
	edition     TEXT REFERENCES prize_editions (code),
	open        INTEGER NOT NULL DEFAULT 1,
	demo        INTEGER NOT NULL DEFAULT 0,
	created_at  INTEGER NOT NULL
);
CREATE INDEX network_events_start ON network_events (start_at, id);

CREATE TABLE event_registrations (
	id         INTEGER PRIMARY KEY,
	event_id   INTEGER NOT NULL REFERENCES network_events (id) ON DELETE CASCADE,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	state      TEXT NOT NULL CHECK (state IN ('registered', 'waiting', 'cancelled')),
	attended   INTEGER NOT NULL DEFAULT 0,
	updated_at INTEGER NOT NULL,
	UNIQUE (event_id, user_id)
);
CREATE INDEX event_registrations_user ON event_registrations (user_id, event_id);

CREATE TABLE event_notices (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	kind       TEXT NOT NULL,
	ref        TEXT NOT NULL,
	dedupe_key TEXT NOT NULL UNIQUE,
	created_at INTEGER NOT NULL
);
CREATE INDEX event_notices_kind ON event_notices (kind, created_at, id);
