-- Version 13 (PostgreSQL): reserved for another branch (its own 0013). A no-op here only so
-- that branch otel's sequence stays gapless; drop this file when merging.
SELECT 1;
