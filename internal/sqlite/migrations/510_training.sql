-- The capacity-building training (package training): courses, cohorts
-- per prize edition, their sessions and assignments, enrolments (one per
-- cohort and person), attendance (a row per person present), submissions,
-- completion certificates (number unique, one per cohort and person) and
-- the end-of-course feedback.
CREATE TABLE training_courses (
	id             INTEGER PRIMARY KEY,
	title          TEXT NOT NULL,
	description    TEXT NOT NULL DEFAULT '',
	modules_json   TEXT NOT NULL DEFAULT '[]',
	materials_json TEXT NOT NULL DEFAULT '[]',
	min_attendance INTEGER NOT NULL CHECK (min_attendance BETWEEN 1 AND 100),
	created_at     INTEGER NOT NULL
);

CREATE TABLE training_cohorts (
	id         INTEGER PRIMARY KEY,
	course_id  INTEGER NOT NULL REFERENCES training_courses (id),
	edition    TEXT NOT NULL REFERENCES prize_editions (code),
	title      TEXT NOT NULL,
	demo       INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL
);

CREATE TABLE training_sessions (
	id         INTEGER PRIMARY KEY,
	cohort_id  INTEGER NOT NULL REFERENCES training_cohorts (id) ON DELETE CASCADE,
	title      TEXT NOT NULL,
	mode       TEXT NOT NULL CHECK (mode IN ('online', 'onsite')),
	start_at   INTEGER NOT NULL,
	end_at     INTEGER NOT NULL,
	time_zone  TEXT NOT NULL,
	place      TEXT NOT NULL DEFAULT '',
	link       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX training_sessions_cohort ON training_sessions (cohort_id, start_at);
CREATE INDEX training_sessions_start ON training_sessions (start_at);

CREATE TABLE training_enrolments (
	id         INTEGER PRIMARY KEY,
	cohort_id  INTEGER NOT NULL REFERENCES training_cohorts (id) ON DELETE CASCADE,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	source     TEXT NOT NULL CHECK (source IN ('winner', 'request')),
	state      TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'declined')),
	created_at INTEGER NOT NULL,
	UNIQUE (cohort_id, user_id)
);

CREATE TABLE training_attendance (
	session_id INTEGER NOT NULL REFERENCES training_sessions (id) ON DELETE CASCADE,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	PRIMARY KEY (session_id, user_id)
);

CREATE TABLE training_assignments (
	id        INTEGER PRIMARY KEY,
	cohort_id INTEGER NOT NULL REFERENCES training_cohorts (id) ON DELETE CASCADE,
	title     TEXT NOT NULL,
	due_at    INTEGER NOT NULL
);

CREATE TABLE training_submissions (
	assignment_id INTEGER NOT NULL REFERENCES training_assignments (id) ON DELETE CASCADE,
	user_id       INTEGER NOT NULL REFERENCES users (id),
	body          TEXT NOT NULL,
	submitted_at  INTEGER NOT NULL,
	PRIMARY KEY (assignment_id, user_id)
);

CREATE TABLE training_certificates (
	number     TEXT PRIMARY KEY,
	hash       TEXT NOT NULL,
	cohort_id  INTEGER NOT NULL REFERENCES training_cohorts (id),
	user_id    INTEGER NOT NULL REFERENCES users (id),
	holder     TEXT NOT NULL,
	course     TEXT NOT NULL,
	issued_at  INTEGER NOT NULL,
	UNIQUE (cohort_id, user_id)
);

CREATE TABLE training_feedback (
	cohort_id  INTEGER NOT NULL REFERENCES training_cohorts (id) ON DELETE CASCADE,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	rating     INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
	relevance  INTEGER NOT NULL CHECK (relevance BETWEEN 1 AND 5),
	comment    TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (cohort_id, user_id)
);
