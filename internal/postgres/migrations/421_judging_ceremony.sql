-- The prize's ceremony (package judging): the finalists' presentation
-- slots in the finalist round, their invitations and attendance, and the
-- programme. Times are Unix microseconds (UTC), 0 for "never". Each row
-- names its edition (and application), so a generic event can link to
-- the ceremony by edition code later.
CREATE TABLE judging_slots (
	id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	round_id       BIGINT NOT NULL REFERENCES judging_rounds (id) ON DELETE CASCADE,
	application_id BIGINT NOT NULL REFERENCES prize_applications (id) ON DELETE CASCADE,
	starts_at      BIGINT NOT NULL,
	minutes        BIGINT NOT NULL,
	room           TEXT NOT NULL DEFAULT '',
	link           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX judging_slots_round ON judging_slots (round_id, starts_at);

CREATE TABLE judging_invitations (
	application_id BIGINT PRIMARY KEY REFERENCES prize_applications (id) ON DELETE CASCADE,
	edition        TEXT NOT NULL REFERENCES prize_editions (code) ON DELETE CASCADE,
	lang           TEXT NOT NULL,
	status         TEXT NOT NULL,
	attendees      TEXT NOT NULL DEFAULT '[]',
	travel         TEXT NOT NULL DEFAULT '',
	sent_at        BIGINT NOT NULL,
	responded_at   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX judging_invitations_edition ON judging_invitations (edition, application_id);

CREATE TABLE judging_programme (
	edition   TEXT NOT NULL REFERENCES prize_editions (code) ON DELETE CASCADE,
	position  BIGINT NOT NULL,
	starts_at BIGINT NOT NULL,
	minutes   BIGINT NOT NULL,
	title     TEXT NOT NULL,
	title_ko  TEXT NOT NULL,
	place     TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (edition, position)
);
