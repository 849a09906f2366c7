-- The winners' follow-up (package followup): one feasibility study per
-- awarded application, its partners, milestones, evidence and evidence
-- files (in chunks, as the prize's attachments). Times are Unix
-- microseconds (UTC), 0 for "never"; due dates are YYYY-MM-DD text, so
-- they compare as dates.
CREATE TABLE followup_studies (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	edition         TEXT NOT NULL,
	application_id  INTEGER NOT NULL UNIQUE REFERENCES prize_applications (id) ON DELETE CASCADE,
	award           TEXT NOT NULL,
	grade           TEXT NOT NULL DEFAULT '',
	title           TEXT NOT NULL,
	organisation    TEXT NOT NULL DEFAULT '',
	country         TEXT NOT NULL DEFAULT '',
	stage           TEXT NOT NULL DEFAULT '',
	modality        TEXT NOT NULL,
	modality_reason TEXT NOT NULL DEFAULT '',
	host_city       TEXT NOT NULL DEFAULT '',
	host_city_name  TEXT NOT NULL DEFAULT '',
	owner_user_id   INTEGER NOT NULL DEFAULT 0,
	currency        TEXT NOT NULL,
	budget          INTEGER NOT NULL DEFAULT 0 CHECK (budget >= 0),
	reported        TEXT NOT NULL,
	risks           TEXT NOT NULL DEFAULT '',
	decision        TEXT NOT NULL DEFAULT '',
	decision_reason TEXT NOT NULL DEFAULT '',
	review          TEXT NOT NULL DEFAULT '',
	reviewed_at     INTEGER NOT NULL DEFAULT 0,
	final_report    TEXT NOT NULL DEFAULT '',
	demo            INTEGER NOT NULL DEFAULT 0,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL
);
CREATE INDEX followup_studies_edition ON followup_studies (edition);
CREATE INDEX followup_studies_host ON followup_studies (host_city);

CREATE TABLE followup_partners (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	study_id  INTEGER NOT NULL REFERENCES followup_studies (id) ON DELETE CASCADE,
	kind      TEXT NOT NULL,
	city_code TEXT NOT NULL DEFAULT '',
	name      TEXT NOT NULL,
	role      TEXT NOT NULL,
	user_id   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX followup_partners_study ON followup_partners (study_id);

CREATE TABLE followup_milestones (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	study_id      INTEGER NOT NULL REFERENCES followup_studies (id) ON DELETE CASCADE,
	seq           INTEGER NOT NULL,
	title         TEXT NOT NULL,
	title_ko      TEXT NOT NULL DEFAULT '',
	due           TEXT NOT NULL,
	owner_user_id INTEGER NOT NULL DEFAULT 0,
	deliverables  TEXT NOT NULL DEFAULT '',
	deliverables_ko TEXT NOT NULL DEFAULT '',
	reported      TEXT NOT NULL,
	done_at       INTEGER NOT NULL DEFAULT 0,
	updated_at    INTEGER NOT NULL
);
CREATE INDEX followup_milestones_study ON followup_milestones (study_id, seq);
CREATE INDEX followup_milestones_open ON followup_milestones (due) WHERE reported <> 'done';

CREATE TABLE followup_files (
	id         TEXT PRIMARY KEY,
	study_id   INTEGER NOT NULL REFERENCES followup_studies (id) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	type       TEXT NOT NULL,
	size       INTEGER NOT NULL DEFAULT 0,
	sha256     TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL
);
CREATE INDEX followup_files_study ON followup_files (study_id);

CREATE TABLE followup_file_chunks (
	file_id TEXT NOT NULL REFERENCES followup_files (id) ON DELETE CASCADE,
	seq     INTEGER NOT NULL,
	data    BLOB NOT NULL,
	PRIMARY KEY (file_id, seq)
);

CREATE TABLE followup_evidence (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	study_id     INTEGER NOT NULL REFERENCES followup_studies (id) ON DELETE CASCADE,
	milestone_id INTEGER NOT NULL REFERENCES followup_milestones (id) ON DELETE CASCADE,
	kind         TEXT NOT NULL,
	label        TEXT NOT NULL DEFAULT '',
	public       INTEGER NOT NULL DEFAULT 0,
	url          TEXT NOT NULL DEFAULT '',
	file_id      TEXT REFERENCES followup_files (id) ON DELETE CASCADE,
	indicator    TEXT NOT NULL DEFAULT '',
	unit         TEXT NOT NULL DEFAULT '',
	before_value DOUBLE PRECISION NOT NULL DEFAULT 0,
	after_value  DOUBLE PRECISION NOT NULL DEFAULT 0,
	created_by   INTEGER NOT NULL DEFAULT 0,
	created_at   INTEGER NOT NULL
);
CREATE INDEX followup_evidence_milestone ON followup_evidence (milestone_id);
CREATE INDEX followup_evidence_file ON followup_evidence (file_id);
