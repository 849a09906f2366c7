-- Codes and audit entity ids compare byte by byte (COLLATE "C"), as SQLite
-- compares them: the same order on both databases, and index maintenance
-- without locale rules. With a locale collation, the audit log's entity
-- index made a 300,000-value import's audit entries take twice as long.
ALTER TABLE datacall_values
	ALTER COLUMN edition TYPE TEXT COLLATE "C",
	ALTER COLUMN city TYPE TEXT COLLATE "C",
	ALTER COLUMN indicator TYPE TEXT COLLATE "C";
ALTER TABLE audit_log
	ALTER COLUMN entity_type TYPE TEXT COLLATE "C",
	ALTER COLUMN entity_id TYPE TEXT COLLATE "C";
