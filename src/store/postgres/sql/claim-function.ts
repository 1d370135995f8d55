/**
 * The server-side claim function `claim_jobs`. Its definition lives here, not in a migration
 * (STYLE: the hottest SQL must not be frozen inside a migration): the migrator applies it with
 * `CREATE OR REPLACE FUNCTION` after the migrations, on every migrate whose ledger checksum of
 * this text differs (postgres-routines.ts). A change of its signature needs a migration that
 * drops the old one (0005_claim_by_type.sql did, for `p_types`).
 *
 * A claim is one call: one round trip and one transaction, doing per queue exactly what
 * SQLite's claim does inside BEGIN IMMEDIATE (read the queue's settings; skip it when paused;
 * under a concurrency limit, count its running jobs; promote its due scheduled/retrying jobs;
 * claim in priority, run_at, id order; log `job.started`). Written as a function because a
 * claim is a sequence of statements that depend on each other (promoted rows must be visible to
 * the claim, which one statement's snapshot cannot do), and a round trip per step would cost
 * more than the work.
 *
 * Traffic control (SPEC §7; docs/design.md "Traffic control"): a rate limit or a key cap also
 * takes the queue row's lock, so the token bucket (`rate_tat`) and the running counts per key
 * are read and moved by one claimer at a time, across every host; a rate-limited claim
 * notifies its channel with `<queue> +<ms>`, the delay until the next start is allowed, so waiting
 * claimers everywhere look again then. With a key cap, or two or more ready tenants (and no
 * tenant scope), candidates come from `claim_fair_candidates`; otherwise nothing changes.
 *
 * PostgreSQL specifics:
 *   * candidates are locked FOR UPDATE SKIP LOCKED, so claimers on every host take disjoint rows
 *     without waiting for each other; promotion skips locked rows too;
 *   * a queue with a concurrency limit is claimed after locking its settings row FOR UPDATE, so
 *     its claimers on every host take turns and each one's count of running jobs includes every
 *     claim committed before (a VOLATILE function takes a fresh snapshot per statement);
 *   * promotion is bounded: at most what this claim can take (`v_allowed`), oldest due first
 *     (jobs_due_queue_idx), so a burst of due jobs never lands on the hot path; the promoter
 *     moves the rest in bounded batches. It notifies the queue's channel: this claim may take
 *     only some of those jobs (other tenants' or types');
 *   * with `p_types`, candidates come from one probe of jobs_claim_type_idx per type (LATERAL,
 *     each locking at most the claim's limit), merged in claim order: queued jobs of types the
 *     claimer does not serve are never read. The probes may lock up to (types × limit) rows and
 *     claim only `limit`; the rest are unlocked at commit, a moment later (concurrent claimers
 *     skip them meanwhile, as they skip any locked row);
 *   * the transaction commits without waiting for its WAL flush (synchronous_commit off): a
 *     claim lost in a database crash returns its jobs to the queue, which the lease machinery
 *     already handles (a re-run; the lost claim's token can no longer complete anything).
 *     Submissions and outcomes keep durable commits.
 * `SET search_path FROM CURRENT` pins the schema the migrator runs in, so the unqualified names
 * below always mean this schema's tables. `SET enable_sort = off` keeps the claim walking the
 * claim indexes in order instead of sorting the queue: with statistics older than a bulk load
 * (autovacuum off, so no ANALYZE), the cached generic plan read and sorted 990,000 queued rows
 * per claim, 1.5 s each (issue 15; migration 0007 set it on the older definitions). `SET jit =
 * off`: with sorts disabled, the one sort a typed claim needs (merging the per-type probes) is
 * costed at 10^10, far over `jit_above_cost`, so every typed claim was JIT-compiled — 0.5 to
 * 1.5 s per claim of 10 jobs on PostgreSQL 15 (measured while adding traffic control; the
 * claim itself takes under 1 ms).
 */

/** Name of the routine in the ledger (`schema_routines`). */
export const CLAIM_FUNCTION_NAME = "claim_jobs";

/**
 * Parameters: queues (precedence order), limit, worker, lease token, now, lease ms, grace ms,
 * tenant (null: any), NOTIFY channel, types (null: any; else only these). Returns the claimed rows.
 */
export const CLAIM_FUNCTION = `
CREATE OR REPLACE FUNCTION claim_jobs(
  p_queues      TEXT[],
  p_limit       INTEGER,
  p_worker      TEXT,
  p_lease_token TEXT,
  p_now         BIGINT,
  p_lease_ms    BIGINT,
  p_grace_ms    BIGINT,
  p_tenant      TEXT,
  p_channel     TEXT,
  p_types       TEXT[]
) RETURNS SETOF jobs
LANGUAGE plpgsql
VOLATILE
SET search_path FROM CURRENT
SET enable_sort = off
SET jit = off
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
  v_ids       UUID[];
  v_rate      INTEGER;
  v_period    BIGINT;
  v_tat       DOUBLE PRECISION;
  v_keycap    INTEGER;
  v_base      DOUBLE PRECISION;
  v_interval  DOUBLE PRECISION;
  v_tokens    INTEGER;
  v_rate_bound BOOLEAN;
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  FOREACH v_queue IN ARRAY p_queues LOOP
    EXIT WHEN v_remaining <= 0;
    SELECT paused, concurrency, rate_limit, key_concurrency INTO v_paused, v_limit, v_rate, v_keycap
    FROM queues WHERE name = v_queue;
    CONTINUE WHEN v_paused;
    v_allowed := v_remaining;
    IF v_limit IS NOT NULL OR v_rate IS NOT NULL OR v_keycap IS NOT NULL THEN
      -- Take turns with every other claimer of this queue; read the settings again under the lock.
      SELECT paused, concurrency, rate_limit, rate_period_ms, rate_tat, key_concurrency
      INTO v_paused, v_limit, v_rate, v_period, v_tat, v_keycap
      FROM queues WHERE name = v_queue FOR UPDATE;
      CONTINUE WHEN v_paused;
      IF v_limit IS NOT NULL THEN
        SELECT count(*) INTO v_running FROM jobs WHERE status = 'running' AND queue = v_queue;
        v_allowed := least(v_remaining, v_limit - v_running);
        CONTINUE WHEN v_allowed <= 0;
      END IF;
      IF v_rate IS NOT NULL THEN
        -- The token bucket (core/traffic.ts rateAllowance): GCRA on one timestamp.
        v_interval := v_period::double precision / v_rate;
        v_base := greatest(coalesce(v_tat, p_now), p_now);
        v_tokens := floor((p_now + v_period - v_base) / v_interval)::int;
        v_rate_bound := v_tokens < v_allowed;
        v_allowed := least(v_allowed, v_tokens);
        IF v_allowed <= 0 THEN
          -- Wake waiting claimers when the next start is allowed: "<queue> +<delay ms>".
          PERFORM pg_notify(p_channel,
            v_queue || ' +' || greatest(1, ceil(v_base - v_period + v_interval - p_now))::bigint);
          CONTINUE;
        END IF;
      END IF;
    END IF;

    WITH promoted AS (
      UPDATE jobs SET status = 'queued', updated_at = p_now
      WHERE id IN (
        SELECT id FROM jobs
        WHERE status IN ('scheduled', 'retrying') AND run_at <= p_now AND queue = v_queue
        ORDER BY run_at
        LIMIT v_allowed
        FOR UPDATE SKIP LOCKED)
      AND status IN ('scheduled', 'retrying')
      RETURNING 1
    )
    SELECT count(*) INTO v_promoted FROM promoted;
    IF v_promoted > 0 THEN
      PERFORM pg_notify(p_channel, v_queue);
    END IF;

    -- Candidates, locked: with a key cap or tenants to share, from claim_fair_candidates
    -- (sql/fair-claim-function.ts); else the next jobs of any type (jobs_claim_idx), or of the
    -- served types only (one probe of jobs_claim_type_idx per type, merged in claim order).
    IF v_keycap IS NOT NULL OR (p_tenant IS NULL AND
        (SELECT count(*) FROM (SELECT 1 FROM ready_tenants WHERE queue = v_queue LIMIT 2) AS r) > 1)
    THEN
      v_ids := claim_fair_candidates(v_queue, v_allowed, p_tenant, p_types, v_keycap);
    ELSIF p_types IS NULL THEN
      SELECT array_agg(c.id) INTO v_ids FROM (
        SELECT id FROM jobs
        WHERE status = 'queued' AND queue = v_queue AND (p_tenant IS NULL OR tenant = p_tenant)
        ORDER BY priority DESC, run_at, id
        LIMIT v_allowed
        FOR UPDATE SKIP LOCKED
      ) AS c;
    ELSE
      SELECT array_agg(c.id) INTO v_ids FROM (
        SELECT probe.id FROM unnest(p_types) AS t(type)
        CROSS JOIN LATERAL (
          SELECT id, priority, run_at FROM jobs
          WHERE status = 'queued' AND queue = v_queue AND type = t.type
            AND (p_tenant IS NULL OR tenant = p_tenant)
          ORDER BY priority DESC, run_at, id
          LIMIT v_allowed
          FOR UPDATE SKIP LOCKED
        ) AS probe
        ORDER BY probe.priority DESC, probe.run_at, probe.id
        LIMIT v_allowed
      ) AS c;
    END IF;
    CONTINUE WHEN v_ids IS NULL;

    RETURN QUERY
    WITH picked AS (
      SELECT unnest(v_ids) AS id
    ), claimed AS (
      UPDATE jobs AS j SET status = 'running', attempt = j.attempt + 1, worker = p_worker,
        lease_token = p_lease_token, started_at = p_now,
        lease_expires_at = least(p_now + p_lease_ms, p_now + j.timeout_ms + p_grace_ms),
        progress = 0, progress_message = NULL, updated_at = p_now
      FROM picked WHERE j.id = picked.id
      RETURNING j.*
    ), logged AS (
      -- One pending row of arrays for the claim's events (sql/fragments.ts, migration 0020).
      INSERT INTO job_events_pending (slot, at, name, job_id, tenant, queue, type, status, data)
      SELECT (SELECT slot FROM job_event_slot), array_agg(p_now), array_agg('job.started'::text),
        array_agg(c.id), array_agg(c.tenant), array_agg(c.queue), array_agg(c.type),
        array_agg('running'::text),
        array_agg(json_build_object('attempt', c.attempt, 'worker', p_worker,
          'waitMs', greatest(0, p_now - c.run_at)))
      FROM claimed AS c
      HAVING count(*) > 0
    )
    SELECT * FROM claimed;
    GET DIAGNOSTICS v_claimed = ROW_COUNT;
    v_remaining := v_remaining - v_claimed;
    IF v_rate IS NOT NULL AND v_claimed > 0 THEN
      UPDATE queues SET rate_tat = v_base + v_claimed * v_interval WHERE name = v_queue;
      IF v_rate_bound AND v_claimed = v_allowed THEN
        -- The bucket, not the backlog, cut this claim short: wake claimers at the next token.
        PERFORM pg_notify(p_channel, v_queue || ' +' || greatest(1,
          ceil(v_base + v_claimed * v_interval - v_period + v_interval - p_now))::bigint);
      END IF;
    END IF;
  END LOOP;
END
$$`;
