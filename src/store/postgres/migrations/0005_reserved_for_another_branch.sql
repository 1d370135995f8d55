-- Version 5 (PostgreSQL) is owned by another branch; this empty placeholder only keeps the
-- sequence unbroken on the `registry` branch. DELETE THIS FILE when merging that branch's 0005.
SELECT 1;
