-- Attachments' bytes are kept by content (SHA-256) in a directory beside
-- the database; a file is removed only when no row refers to its hash,
-- which this index finds at once. Files stored before keep their chunks.
CREATE INDEX prize_attachments_sha256 ON prize_attachments (sha256);
