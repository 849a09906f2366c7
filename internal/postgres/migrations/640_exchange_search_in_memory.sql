-- The practice library's search runs on the store's own index in memory,
-- made of exchange_cases.terms_text and kept current by the library's
-- change sequence (migration 610), the same on both databases. The
-- generated tsvector and its GIN index are no longer read: they go, and
-- with them their cost on every write.
DROP INDEX IF EXISTS exchange_cases_terms;
ALTER TABLE exchange_cases DROP COLUMN IF EXISTS terms;
