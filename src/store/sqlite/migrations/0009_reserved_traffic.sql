-- Version 9: reserved for branch `traffic` (its own 0009). A no-op here only so that this
-- branch's sequence stays gapless; drop this file when merging (the loader refuses duplicates).
SELECT 1;
