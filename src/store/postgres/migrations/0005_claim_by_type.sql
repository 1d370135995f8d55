-- Version 5 (PostgreSQL): type-aware claims (SPEC §6); mirrors SQLite's 0004.
--
-- A claim that names the types its worker serves probes this index once per type and merges
-- the probes in claim order, so queued jobs of types nobody serves never slow it down, however
-- many there are. Claims for any type keep using jobs_claim_idx.
CREATE INDEX jobs_claim_type_idx ON jobs (queue, type, priority DESC, run_at, id)
  WHERE status = 'queued';

-- `claim_jobs` gains `p_types`, and its definition moves out of the migrations: the migrator
-- now (re)creates it after them from src/store/postgres/sql/claim-function.ts. CREATE OR
-- REPLACE cannot change an argument list, so the 0003 signature is dropped here.
DROP FUNCTION claim_jobs(TEXT[], INTEGER, TEXT, TEXT, BIGINT, BIGINT, BIGINT, TEXT, TEXT);
