-- Version 4: type-aware claims (SPEC §6). A claim that names the types its worker serves probes
-- this index once per type (each probe reads only its own type's next jobs) and merges the
-- probes in claim order, so queued jobs of types nobody serves never slow it down, however many
-- there are. Claims for any type keep using jobs_claim_idx.
CREATE INDEX jobs_claim_type_idx ON jobs (queue, type, priority DESC, run_at, id)
  WHERE status = 'queued';
