-- A member city's names per language beside its official name: a common
-- English name where the official one is local ("Cairo" for "Al-Qahirah")
-- and its Korean name. Searches match every name.
ALTER TABLE cities ADD COLUMN name_en TEXT NOT NULL DEFAULT '';
ALTER TABLE cities ADD COLUMN name_ko TEXT NOT NULL DEFAULT '';
