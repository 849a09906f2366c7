-- Training's files (package training): course materials and assignment
-- submissions uploaded as files, kept as the prize's attachments and the
-- follow-up's evidence (by content beside an SQLite database; in chunk
-- rows on PostgreSQL). A file is a course's material (course_id) or
-- a submission's (assignment_id, user_id), never both; a submission
-- refers to its file, which goes when the answer is replaced.
CREATE TABLE training_files (
	id            TEXT PRIMARY KEY,
	course_id     INTEGER REFERENCES training_courses (id) ON DELETE CASCADE,
	assignment_id INTEGER REFERENCES training_assignments (id) ON DELETE CASCADE,
	user_id       INTEGER REFERENCES users (id),
	name          TEXT NOT NULL,
	type          TEXT NOT NULL,
	size          INTEGER NOT NULL DEFAULT 0,
	sha256        TEXT NOT NULL DEFAULT '',
	created_at    INTEGER NOT NULL,
	CHECK ((course_id IS NULL) <> (assignment_id IS NULL))
);
CREATE INDEX training_files_course ON training_files (course_id);
CREATE INDEX training_files_assignment ON training_files (assignment_id, user_id);
CREATE INDEX training_files_sha256 ON training_files (sha256);

CREATE TABLE training_file_chunks (
	file_id TEXT NOT NULL REFERENCES training_files (id) ON DELETE CASCADE,
	seq     INTEGER NOT NULL,
	data    BLOB NOT NULL,
	PRIMARY KEY (file_id, seq)
);

ALTER TABLE training_submissions ADD COLUMN file_id TEXT REFERENCES training_files (id);
