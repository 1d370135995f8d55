-- Version 11 (PostgreSQL): reserved for branch `traffic` (its own 0011). A no-op here only so
-- that this branch's sequence stays gapless; drop this file when merging.
SELECT 1;
