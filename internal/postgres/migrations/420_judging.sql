-- The Seoul Smart City Prize, part 2 (package judging): the committee,
-- conflicts of interest, bids, rounds with their assignment and locks,
-- scores, decisions and the announcement. Times are Unix microseconds
-- (UTC), 0 for "never". Decisions are kept apart from prize_applications
-- so no query of the call (pages, counts, sorts, search) can read them
-- before the announcement.
CREATE TABLE judging_judges (
	id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	edition       TEXT NOT NULL REFERENCES prize_editions (code) ON DELETE CASCADE,
	user_id       BIGINT NOT NULL,
	name          TEXT NOT NULL,
	email         TEXT NOT NULL,
	role          TEXT NOT NULL,
	organisation  TEXT NOT NULL DEFAULT '',
	org_parent    TEXT NOT NULL DEFAULT '',
	city_code     TEXT NOT NULL DEFAULT '',
	city_name     TEXT NOT NULL DEFAULT '',
	country       TEXT NOT NULL DEFAULT '',
	languages     TEXT NOT NULL DEFAULT '[]',
	expertise     TEXT NOT NULL DEFAULT '[]',
	partner_track TEXT NOT NULL DEFAULT '',
	max_load      BIGINT NOT NULL DEFAULT 0,
	tracks        TEXT NOT NULL DEFAULT '[]',
	demo          BIGINT NOT NULL DEFAULT 0,
	created_at    BIGINT NOT NULL,
	UNIQUE (edition, user_id)
);

CREATE TABLE judging_conflicts (
	judge_id       BIGINT NOT NULL REFERENCES judging_judges (id) ON DELETE CASCADE,
	application_id BIGINT NOT NULL REFERENCES prize_applications (id) ON DELETE CASCADE,
	type           TEXT NOT NULL,
	source         TEXT NOT NULL,
	detail         TEXT NOT NULL DEFAULT '',
	status         TEXT NOT NULL,
	unsupported    BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (judge_id, application_id, type, source)
);
CREATE INDEX judging_conflicts_application ON judging_conflicts (application_id);

CREATE TABLE judging_bids (
	judge_id       BIGINT NOT NULL REFERENCES judging_judges (id) ON DELETE CASCADE,
	application_id BIGINT NOT NULL REFERENCES prize_applications (id) ON DELETE CASCADE,
	bid            TEXT NOT NULL,
	PRIMARY KEY (judge_id, application_id)
);

CREATE TABLE judging_rounds (
	id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	edition TEXT NOT NULL REFERENCES prize_editions (code) ON DELETE CASCADE,
	kind    TEXT NOT NULL,
	k       BIGINT NOT NULL,
	rubric  TEXT NOT NULL,
	closes  BIGINT NOT NULL,
	seed    TEXT NOT NULL,
	UNIQUE (edition, kind)
);

CREATE TABLE judging_assignments (
	round_id       BIGINT NOT NULL REFERENCES judging_rounds (id) ON DELETE CASCADE,
	judge_id       BIGINT NOT NULL REFERENCES judging_judges (id) ON DELETE CASCADE,
	application_id BIGINT NOT NULL REFERENCES prize_applications (id) ON DELETE CASCADE,
	assigned       BIGINT NOT NULL DEFAULT 0,
	pinned         BIGINT NOT NULL DEFAULT 0,
	forbidden      BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (round_id, judge_id, application_id)
);

CREATE TABLE judging_scores (
	round_id       BIGINT NOT NULL REFERENCES judging_rounds (id) ON DELETE CASCADE,
	judge_id       BIGINT NOT NULL REFERENCES judging_judges (id) ON DELETE CASCADE,
	application_id BIGINT NOT NULL REFERENCES prize_applications (id) ON DELETE CASCADE,
	sheet          TEXT NOT NULL,
	submitted      BIGINT NOT NULL DEFAULT 0,
	updated_at     BIGINT NOT NULL,
	PRIMARY KEY (round_id, judge_id, application_id)
);

CREATE TABLE judging_decisions (
	id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	edition        TEXT NOT NULL REFERENCES prize_editions (code) ON DELETE CASCADE,
	application_id BIGINT NOT NULL REFERENCES prize_applications (id) ON DELETE CASCADE,
	kind           TEXT NOT NULL,
	grade          TEXT NOT NULL DEFAULT '',
	track          TEXT NOT NULL DEFAULT '',
	note           TEXT NOT NULL DEFAULT '',
	decided_by     TEXT NOT NULL,
	decided_at     BIGINT NOT NULL
);
CREATE INDEX judging_decisions_edition ON judging_decisions (edition, id);

CREATE TABLE judging_announcements (
	edition      TEXT PRIMARY KEY REFERENCES prize_editions (code) ON DELETE CASCADE,
	announced_at BIGINT NOT NULL,
	announced_by TEXT NOT NULL
);
