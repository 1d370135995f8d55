-- Placeholder: version 0006 belongs to another branch merged alongside this one (counters,
-- registry, pgchurn ...). The lead DELETES this file when merging; a leftover shows up at once as a
-- duplicate-version error from loadMigrations.
SELECT 1;
