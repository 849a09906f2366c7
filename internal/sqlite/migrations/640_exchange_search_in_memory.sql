-- The practice library's search runs on the store's own index in memory,
-- made of exchange_cases.terms_text and kept current by the library's
-- change sequence (migration 610), the same on both databases. The FTS5
-- table and its triggers are no longer read: they go, and with them their
-- cost on every write.
DROP TRIGGER IF EXISTS exchange_cases_fts_insert;
DROP TRIGGER IF EXISTS exchange_cases_fts_update;
DROP TRIGGER IF EXISTS exchange_cases_fts_delete;
DROP TABLE IF EXISTS exchange_case_fts;
