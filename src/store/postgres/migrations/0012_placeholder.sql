-- Placeholder for version 12, which another branch of issue 14 / SPEC §7 takes; it exists only
-- so that this branch's migrations stay gapless. The lead drops it when merging that branch.
SELECT 1;
