-- Placeholder (branch counters): version 05 belongs to another branch. It exists only so that
-- this branch's 0007 loads (the loader refuses gaps). The lead deletes this file when merging.
SELECT 1;
