-- The Seoul Smart City Prize, part 1 (package prize): editions, tracks,
-- eligibility, forms, applicant profiles, applications, attachments (in
-- chunks, so every replica serves them and no upload is held whole),
-- endorsements and the screening log. Times are Unix microseconds (UTC),
-- 0 for "never". Judging (part 2) adds its own tables referring to
-- prize_applications.
CREATE TABLE prize_editions (
	code           TEXT PRIMARY KEY,
	year           BIGINT NOT NULL,
	title          TEXT NOT NULL,
	title_ko       TEXT NOT NULL,
	description    TEXT NOT NULL DEFAULT '',
	description_ko TEXT NOT NULL DEFAULT '',
	time_zone      TEXT NOT NULL,
	opens          BIGINT NOT NULL,
	deadline       BIGINT NOT NULL,
	grace_seconds  BIGINT NOT NULL DEFAULT 0,
	evaluation     BIGINT NOT NULL DEFAULT 0,
	finalists      BIGINT NOT NULL DEFAULT 0,
	ceremony       BIGINT NOT NULL DEFAULT 0,
	published      BIGINT NOT NULL DEFAULT 0,
	created_at     BIGINT NOT NULL,
	updated_at     BIGINT NOT NULL
);

CREATE TABLE prize_tracks (
	edition        TEXT NOT NULL REFERENCES prize_editions (code) ON DELETE CASCADE,
	code           TEXT NOT NULL,
	kind           TEXT NOT NULL,
	name           TEXT NOT NULL,
	name_ko        TEXT NOT NULL,
	description    TEXT NOT NULL DEFAULT '',
	description_ko TEXT NOT NULL DEFAULT '',
	criteria       TEXT NOT NULL DEFAULT '',
	criteria_ko    TEXT NOT NULL DEFAULT '',
	partner        TEXT NOT NULL DEFAULT '',
	position       BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (edition, code)
);

CREATE TABLE prize_eligibility (
	edition        TEXT NOT NULL,
	track          TEXT NOT NULL,
	applicant_type TEXT NOT NULL,
	eligible       BIGINT NOT NULL,
	PRIMARY KEY (edition, track, applicant_type),
	FOREIGN KEY (edition, track) REFERENCES prize_tracks (edition, code) ON DELETE CASCADE
);

-- A form per edition, track ('' for the edition's default) and applicant
-- type ('' for every type), as JSON.
CREATE TABLE prize_forms (
	edition        TEXT NOT NULL REFERENCES prize_editions (code) ON DELETE CASCADE,
	track          TEXT NOT NULL,
	applicant_type TEXT NOT NULL,
	form           TEXT NOT NULL,
	PRIMARY KEY (edition, track, applicant_type)
);

CREATE TABLE prize_profiles (
	user_id      BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	type         TEXT NOT NULL,
	organisation TEXT NOT NULL,
	country      TEXT NOT NULL,
	city_code    TEXT NOT NULL DEFAULT '',
	city_name    TEXT NOT NULL DEFAULT '',
	website      TEXT NOT NULL DEFAULT '',
	contact      TEXT NOT NULL DEFAULT '',
	updated_at   BIGINT NOT NULL
);

CREATE TABLE prize_applications (
	id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	edition        TEXT NOT NULL,
	track          TEXT NOT NULL,
	user_id        BIGINT NOT NULL REFERENCES users (id),
	email          TEXT NOT NULL,
	applicant_type TEXT NOT NULL,
	organisation   TEXT NOT NULL,
	country        TEXT NOT NULL DEFAULT '',
	city_code      TEXT NOT NULL DEFAULT '',
	city_name      TEXT NOT NULL DEFAULT '',
	title          TEXT NOT NULL DEFAULT '',
	stage          TEXT NOT NULL DEFAULT '',
	answers        TEXT NOT NULL DEFAULT '{}',
	co_applicants  TEXT NOT NULL DEFAULT '[]',
	state          TEXT NOT NULL,
	late           BIGINT NOT NULL DEFAULT 0,
	screening      TEXT NOT NULL DEFAULT '',
	screen_reason  TEXT NOT NULL DEFAULT '',
	screened_at    BIGINT NOT NULL DEFAULT 0,
	screened_by    TEXT NOT NULL DEFAULT '',
	demo           BIGINT NOT NULL DEFAULT 0,
	created_at     BIGINT NOT NULL,
	updated_at     BIGINT NOT NULL,
	submitted_at   BIGINT NOT NULL DEFAULT 0,
	withdrawn_at   BIGINT NOT NULL DEFAULT 0,
	FOREIGN KEY (edition, track) REFERENCES prize_tracks (edition, code)
);
CREATE INDEX prize_applications_edition ON prize_applications (edition, state);
CREATE INDEX prize_applications_user ON prize_applications (user_id);

CREATE TABLE prize_attachments (
	id             TEXT PRIMARY KEY,
	application_id BIGINT NOT NULL REFERENCES prize_applications (id) ON DELETE CASCADE,
	field          TEXT NOT NULL,
	name           TEXT NOT NULL,
	type           TEXT NOT NULL,
	size           BIGINT NOT NULL DEFAULT 0,
	sha256         TEXT NOT NULL DEFAULT '',
	created_at     BIGINT NOT NULL
);
CREATE INDEX prize_attachments_application ON prize_attachments (application_id);

CREATE TABLE prize_attachment_chunks (
	attachment_id TEXT NOT NULL REFERENCES prize_attachments (id) ON DELETE CASCADE,
	seq           BIGINT NOT NULL,
	data          BYTEA NOT NULL,
	PRIMARY KEY (attachment_id, seq)
);

CREATE TABLE prize_endorsements (
	id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	application_id BIGINT NOT NULL REFERENCES prize_applications (id) ON DELETE CASCADE,
	city_code      TEXT NOT NULL DEFAULT '',
	city_name      TEXT NOT NULL,
	email          TEXT NOT NULL DEFAULT '',
	token_hash     TEXT,
	status         TEXT NOT NULL,
	comment        TEXT NOT NULL DEFAULT '',
	requested_at   BIGINT NOT NULL,
	expires_at     BIGINT NOT NULL DEFAULT 0,
	decided_at     BIGINT NOT NULL DEFAULT 0,
	decided_by     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX prize_endorsements_application ON prize_endorsements (application_id);
CREATE INDEX prize_endorsements_city ON prize_endorsements (city_code);
CREATE UNIQUE INDEX prize_endorsements_token ON prize_endorsements (token_hash);

CREATE TABLE prize_screenings (
	id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	application_id BIGINT NOT NULL REFERENCES prize_applications (id) ON DELETE CASCADE,
	outcome        TEXT NOT NULL,
	reason         TEXT NOT NULL DEFAULT '',
	checks         TEXT NOT NULL DEFAULT '[]',
	actor          TEXT NOT NULL,
	at             BIGINT NOT NULL
);
CREATE INDEX prize_screenings_application ON prize_screenings (application_id);
