-- PostgreSQL's migration 105 makes codes compare byte by byte, as SQLite's
-- default BINARY collation already does: nothing to change here.
SELECT 1;
