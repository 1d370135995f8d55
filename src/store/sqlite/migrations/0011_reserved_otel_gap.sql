-- Version 11: reserved for another branch (its own 0011). A no-op here only so that branch
-- otel's sequence stays gapless; drop this file when merging (the loader refuses duplicates).
SELECT 1;
