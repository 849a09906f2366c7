-- Published releases (package release): one row per release, identified by
-- its content hash, holding the whole release document. A published release
-- never changes: a correction is a new row naming the release it corrects,
-- and triggers refuse any update or delete of a published row.
CREATE TABLE releases (
	id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	edition      TEXT NOT NULL,
	hash         TEXT NOT NULL UNIQUE,
	state        TEXT NOT NULL CHECK (state IN ('draft', 'published')),
	corrects     TEXT NOT NULL DEFAULT '',
	draft_id     BIGINT NOT NULL DEFAULT 0,
	title        TEXT NOT NULL DEFAULT '',
	demo         INTEGER NOT NULL DEFAULT 0,
	cities       INTEGER NOT NULL,
	change_note  TEXT NOT NULL DEFAULT '',
	changes_json TEXT NOT NULL DEFAULT '[]',
	created_by   TEXT NOT NULL DEFAULT '',
	created_at   BIGINT NOT NULL,
	published_by TEXT NOT NULL DEFAULT '',
	published_at BIGINT NOT NULL DEFAULT 0,
	body_json    TEXT NOT NULL
);
CREATE INDEX releases_edition ON releases (edition, published_at, id);
CREATE INDEX releases_published ON releases (state, published_at, id);

CREATE FUNCTION releases_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF OLD.state = 'published' THEN
		RAISE EXCEPTION 'a published release is immutable';
	END IF;
	IF TG_OP = 'DELETE' THEN
		RETURN OLD;
	END IF;
	RETURN NEW;
END;
$$;
CREATE TRIGGER releases_published_no_change BEFORE UPDATE OR DELETE ON releases
	FOR EACH ROW EXECUTE FUNCTION releases_refuse_change();
