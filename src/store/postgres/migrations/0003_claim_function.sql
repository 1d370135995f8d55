-- Version 3 (PostgreSQL only): a claim is one call of `claim_jobs`, one round trip and one
-- transaction, doing per queue exactly what SQLite's claim does inside BEGIN IMMEDIATE (read the
-- queue's settings; skip it when paused; under a concurrency limit, count its running jobs;
-- promote its due scheduled/retrying jobs; claim in priority, run_at, id order; log
-- `job.started`). Written as a function because a claim is a sequence of statements that depend
-- on each other (promoted rows must be visible to the claim, which one statement's snapshot
-- cannot do), and a round trip per step would cost more than the work.
--
-- PostgreSQL specifics:
--   * candidates are locked FOR UPDATE SKIP LOCKED, so claimers on every host take disjoint rows
--     without waiting for each other; promotion skips locked rows too;
--   * a queue with a concurrency limit is claimed after locking its settings row FOR UPDATE, so
--     its claimers on every host take turns and each one's count of running jobs includes every
--     claim committed before (a VOLATILE function takes a fresh snapshot per statement);
--   * promotion notifies the queue's channel: this claim may take only some of those jobs;
--   * the transaction commits without waiting for its WAL flush (synchronous_commit off): a
--     claim lost in a database crash returns its jobs to the queue, which the lease machinery
--     already handles (a re-run; the lost claim's token can no longer complete anything).
--     Submissions and outcomes keep durable commits.
-- `SET search_path FROM CURRENT` pins the schema the migrator runs in, so the unqualified names
-- below always mean this schema's tables.

CREATE FUNCTION claim_jobs(
  p_queues      TEXT[],
  p_limit       INTEGER,
  p_worker      TEXT,
  p_lease_token TEXT,
  p_now         BIGINT,
  p_lease_ms    BIGINT,
  p_grace_ms    BIGINT,
  p_tenant      TEXT,
  p_channel     TEXT
) RETURNS SETOF jobs
LANGUAGE plpgsql
VOLATILE
SET search_path FROM CURRENT
AS $$
DECLARE
  v_queue     TEXT;
  v_remaining INTEGER := p_limit;
  v_allowed   INTEGER;
  v_paused    BOOLEAN;
  v_limit     INTEGER;
  v_running   INTEGER;
  v_promoted  INTEGER;
  v_claimed   INTEGER;
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  FOREACH v_queue IN ARRAY p_queues LOOP
    EXIT WHEN v_remaining <= 0;
    SELECT paused, concurrency INTO v_paused, v_limit FROM queues WHERE name = v_queue;
    CONTINUE WHEN v_paused;
    v_allowed := v_remaining;
    IF v_limit IS NOT NULL THEN
      -- Take turns with every other claimer of this queue; read the settings again under the lock.
      SELECT paused, concurrency INTO v_paused, v_limit FROM queues WHERE name = v_queue FOR UPDATE;
      CONTINUE WHEN v_paused;
      IF v_limit IS NOT NULL THEN
        SELECT count(*) INTO v_running FROM jobs WHERE status = 'running' AND queue = v_queue;
        v_allowed := least(v_remaining, v_limit - v_running);
        CONTINUE WHEN v_allowed <= 0;
      END IF;
    END IF;

    WITH promoted AS (
      UPDATE jobs SET status = 'queued', updated_at = p_now
      WHERE id IN (
        SELECT id FROM jobs
        WHERE status IN ('scheduled', 'retrying') AND run_at <= p_now AND queue = v_queue
        FOR UPDATE SKIP LOCKED)
      AND status IN ('scheduled', 'retrying')
      RETURNING 1
    )
    SELECT count(*) INTO v_promoted FROM promoted;
    IF v_promoted > 0 THEN
      PERFORM pg_notify(p_channel, v_queue);
    END IF;

    RETURN QUERY
    WITH picked AS MATERIALIZED (
      SELECT id FROM jobs
      WHERE status = 'queued' AND queue = v_queue AND (p_tenant IS NULL OR tenant = p_tenant)
      ORDER BY priority DESC, run_at, id
      LIMIT v_allowed
      FOR UPDATE SKIP LOCKED
    ), claimed AS (
      UPDATE jobs AS j SET status = 'running', attempt = j.attempt + 1, worker = p_worker,
        lease_token = p_lease_token, started_at = p_now,
        lease_expires_at = least(p_now + p_lease_ms, p_now + j.timeout_ms + p_grace_ms),
        progress = 0, progress_message = NULL, updated_at = p_now
      FROM picked WHERE j.id = picked.id
      RETURNING j.*
    ), logged AS (
      INSERT INTO job_events_pending (at, name, job_id, tenant, queue, type, status, data)
      SELECT p_now, 'job.started', c.id, c.tenant, c.queue, c.type, 'running',
        json_build_object('attempt', c.attempt, 'worker', p_worker,
          'waitMs', greatest(0, p_now - c.run_at))
      FROM claimed AS c
    )
    SELECT * FROM claimed;
    GET DIAGNOSTICS v_claimed = ROW_COUNT;
    v_remaining := v_remaining - v_claimed;
  END LOOP;
END
$$;
