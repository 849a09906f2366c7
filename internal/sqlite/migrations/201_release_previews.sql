-- Previews of draft releases (package release): a draft computed as its
-- publication would be, for review. One per draft, replaced by the next;
-- never published, never public.
CREATE TABLE release_previews (
	draft_id   INTEGER PRIMARY KEY,
	hash       TEXT NOT NULL,
	n          INTEGER NOT NULL,
	job_id     INTEGER NOT NULL DEFAULT 0,
	created_by TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	body_json  TEXT NOT NULL
);
