/**
 * The triggers that keep `ready_tenants` (migration 0011) complete: whenever a job becomes
 * `queued` — submitted (a statement-level trigger over the inserted rows, so a batch costs one
 * call), or promoted, retried, released (a row-level trigger on status changes to `queued`) —
 * its (queue, tenant) gets a row if it has none, at the queue's lowest pass (its virtual time).
 *
 * The race with a claim that deletes an idle tenant's row (fair-claim-function.ts) is closed
 * with row locks, not with a lock per submission: the trigger takes FOR KEY SHARE on the rows
 * it needs (concurrent submitters share it; claims moving a pass take FOR NO KEY UPDATE, which
 * does not conflict), inserting the missing ones and looping until it holds each one. A claim
 * deletes a row only after taking FOR UPDATE on it with SKIP LOCKED (so a submitter holding
 * the row wins) and re-checking, with a fresh snapshot, that no queued job of the tenant is
 * committed. Either the submitter's lock comes first (no delete), or the delete commits first
 * and the submitter, whose lock waited for it, finds the row gone and inserts it again.
 *
 * `CREATE OR REPLACE TRIGGER` needs PostgreSQL 14 or later. Applied by checksum (a routine).
 */

/** Name of the routine in the ledger (`schema_routines`). */
export const READY_TENANTS_ROUTINE_NAME = "ready_tenants_triggers";

/** The functions and triggers, one script. */
export const READY_TENANTS_ROUTINE = `
CREATE OR REPLACE FUNCTION ready_tenants_ensure(p_queues TEXT[], p_tenants TEXT[]) RETURNS void
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
  v_locked INTEGER;
BEGIN
  LOOP
    SELECT count(*) INTO v_locked FROM (
      SELECT 1 FROM ready_tenants AS r
      JOIN unnest(p_queues, p_tenants) AS w(queue, tenant)
        ON r.queue = w.queue AND r.tenant = w.tenant
      FOR KEY SHARE OF r) AS l;
    EXIT WHEN v_locked >= cardinality(p_queues);
    INSERT INTO ready_tenants (queue, tenant, pass)
    SELECT w.queue, w.tenant,
      coalesce((SELECT min(m.pass) FROM ready_tenants AS m WHERE m.queue = w.queue), 0)
    FROM unnest(p_queues, p_tenants) AS w(queue, tenant)
    ON CONFLICT (queue, tenant) DO NOTHING;
  END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION ready_tenants_inserted() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
  v_queues  TEXT[];
  v_tenants TEXT[];
BEGIN
  SELECT array_agg(d.queue ORDER BY d.queue, d.tenant), array_agg(d.tenant ORDER BY d.queue, d.tenant)
  INTO v_queues, v_tenants
  FROM (SELECT DISTINCT queue, tenant FROM new_rows WHERE status = 'queued') AS d;
  IF v_queues IS NOT NULL THEN
    PERFORM ready_tenants_ensure(v_queues, v_tenants);
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION ready_tenants_requeued() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
BEGIN
  PERFORM ready_tenants_ensure(ARRAY[NEW.queue], ARRAY[NEW.tenant]);
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER ready_tenants_insert AFTER INSERT ON jobs
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ready_tenants_inserted();

CREATE OR REPLACE TRIGGER ready_tenants_update AFTER UPDATE OF status ON jobs
  FOR EACH ROW WHEN (NEW.status = 'queued' AND OLD.status <> 'queued')
  EXECUTE FUNCTION ready_tenants_requeued()`;
