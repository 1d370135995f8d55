-- Placeholder (branch counters): version 07 belongs to another branch. It exists only so that
-- this branch's 0009 loads (the loader refuses gaps). The lead deletes this file when merging.
SELECT 1;
