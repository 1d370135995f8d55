-- Placeholder (flows branch only): keeps the sequence gapless until the branch that owns
-- version 09 is merged. DELETE THIS FILE when merging the flows branch.
SELECT 1;
