-- Published releases (package release): one row per release, identified by
-- its content hash, holding the whole release document. A published release
-- never changes: a correction is a new row naming the release it corrects,
-- and triggers refuse any update or delete of a published row.
CREATE TABLE releases (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	edition      TEXT NOT NULL,
	hash         TEXT NOT NULL UNIQUE,
	state        TEXT NOT NULL CHECK (state IN ('draft', 'published')),
	corrects     TEXT NOT NULL DEFAULT '',
	draft_id     INTEGER NOT NULL DEFAULT 0,
	title        TEXT NOT NULL DEFAULT '',
	demo         INTEGER NOT NULL DEFAULT 0,
	cities       INTEGER NOT NULL,
	change_note  TEXT NOT NULL DEFAULT '',
	changes_json TEXT NOT NULL DEFAULT '[]',
	created_by   TEXT NOT NULL DEFAULT '',
	created_at   INTEGER NOT NULL,
	published_by TEXT NOT NULL DEFAULT '',
	published_at INTEGER NOT NULL DEFAULT 0,
	body_json    TEXT NOT NULL
);
CREATE INDEX releases_edition ON releases (edition, published_at, id);
CREATE INDEX releases_published ON releases (state, published_at, id);

CREATE TRIGGER releases_published_no_update BEFORE UPDATE ON releases
	WHEN OLD.state = 'published'
BEGIN
	SELECT RAISE(ABORT, 'a published release is immutable');
END;
CREATE TRIGGER releases_published_no_delete BEFORE DELETE ON releases
	WHEN OLD.state = 'published'
BEGIN
	SELECT RAISE(ABORT, 'a published release is immutable');
END;
