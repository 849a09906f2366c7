-- The same index as SQLite's, where attachments' bytes are kept by content
-- in a directory and a file is removed only when no row refers to its hash.
-- On PostgreSQL the bytes stay in their chunk rows (every replica serves
-- them); the schema stays the same on both databases.
CREATE INDEX prize_attachments_sha256 ON prize_attachments (sha256);
