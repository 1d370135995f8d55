/**
 * `claim_fair_candidates`: the candidates of a claim of one queue when it has a key cap or two
 * or more ready tenants (SPEC §7; docs/design.md "Traffic control"), called by claim_jobs inside
 * its transaction. Mirrors SQLite's src/store/sqlite/traffic-claim.ts step by step:
 *
 *   * key caps: running jobs per concurrency key (jobs_running_key_idx) decide which keys are
 *     full; candidates of full keys are skipped, and a window over the rest keeps every key
 *     within what is left of its cap (claim_jobs holds the queue row's lock meanwhile);
 *   * fairness, stride scheduling: the `p_limit` ready tenants with the lowest passes are read
 *     (ready_tenants_pass_idx); the tenant at position i is probed for at most `p_limit - i + 1`
 *     jobs (one LATERAL probe of jobs_claim_tenant_idx, locked FOR UPDATE SKIP LOCKED); its
 *     k-th job is served at `pass + (k - 1) / weight`; the lowest tags win; served tenants'
 *     passes move on; a probed tenant without any queued job left loses its row — under its
 *     row lock, taken SKIP LOCKED so that a submission holding it (ready-tenants.ts) wins, and
 *     checked again after the lock with a fresh snapshot, so no committed job is left behind;
 *   * what the tenants could not fill (their jobs are of types this claimer does not serve, or
 *     locked by other claimers) comes from the queue in claim order, when there is no key cap.
 *
 * Returns the ids to claim (NULL when none). Applied by checksum like claim_jobs.
 */

/** Name of the routine in the ledger (`schema_routines`). */
export const FAIR_CLAIM_FUNCTION_NAME = "claim_fair_candidates";

/** Parameters: queue, limit, tenant (null: any), types (null: any), key cap (null: none). */
export const FAIR_CLAIM_FUNCTION = `
CREATE OR REPLACE FUNCTION claim_fair_candidates(
  p_queue   TEXT,
  p_limit   INTEGER,
  p_tenant  TEXT,
  p_types   TEXT[],
  p_key_cap INTEGER
) RETURNS UUID[]
LANGUAGE plpgsql
VOLATILE
SET search_path FROM CURRENT
SET enable_sort = off
SET jit = off
AS $$
DECLARE
  v_running JSONB := '{}'::jsonb;
  v_full    TEXT[] := '{}';
  v_tenants TEXT[];
  v_passes  DOUBLE PRECISION[];
  v_weights DOUBLE PRECISION[];
  v_ids     UUID[];
  v_served  TEXT[];
  v_probed  TEXT[];
  v_rest    UUID[];
  v_tenant  TEXT;
BEGIN
  IF p_key_cap IS NOT NULL THEN
    SELECT coalesce(jsonb_object_agg(k.concurrency_key, k.n), '{}'::jsonb),
      coalesce(array_agg(k.concurrency_key) FILTER (WHERE k.n >= p_key_cap), '{}')
    INTO v_running, v_full
    FROM (SELECT concurrency_key, count(*) AS n FROM jobs
          WHERE status = 'running' AND queue = p_queue AND concurrency_key IS NOT NULL
          GROUP BY concurrency_key) AS k;
  END IF;

  IF p_tenant IS NOT NULL
     OR (SELECT count(*) FROM (SELECT 1 FROM ready_tenants WHERE queue = p_queue LIMIT 2) AS r) < 2
  THEN
    -- One tenant (or a tenant-scoped claimer): claim order, keys within their caps.
    SELECT array_agg(x.id) INTO v_ids FROM (
      SELECT w.id FROM (
        SELECT c.id, c.concurrency_key, c.priority, c.run_at,
          row_number() OVER (PARTITION BY c.concurrency_key
                             ORDER BY c.priority DESC, c.run_at, c.id) AS kn
        FROM (
          SELECT id, concurrency_key, priority, run_at FROM jobs
          WHERE status = 'queued' AND queue = p_queue AND (p_tenant IS NULL OR tenant = p_tenant)
            AND (p_types IS NULL OR type = ANY (p_types))
            AND (concurrency_key IS NULL OR concurrency_key <> ALL (v_full))
          ORDER BY priority DESC, run_at, id
          LIMIT p_limit * 4
          FOR UPDATE SKIP LOCKED) AS c
      ) AS w
      WHERE w.concurrency_key IS NULL
         OR w.kn <= p_key_cap - coalesce((v_running ->> w.concurrency_key)::int, 0)
      ORDER BY w.priority DESC, w.run_at, w.id
      LIMIT p_limit) AS x;
    RETURN v_ids;
  END IF;

  SELECT array_agg(s.tenant ORDER BY s.pass, s.tenant), array_agg(s.pass ORDER BY s.pass, s.tenant),
    array_agg(s.weight ORDER BY s.pass, s.tenant)
  INTO v_tenants, v_passes, v_weights
  FROM (
    SELECT r.tenant, r.pass, coalesce(t.weight, 1)::double precision AS weight
    FROM ready_tenants AS r LEFT JOIN tenants AS t ON t.tenant = r.tenant
    WHERE r.queue = p_queue ORDER BY r.pass, r.tenant LIMIT p_limit) AS s;

  WITH probe AS MATERIALIZED (
    SELECT v.tenant, p.id, p.concurrency_key, p.rk, v.pass + (p.rk - 1) / v.weight AS tag
    FROM unnest(v_tenants, v_passes, v_weights) WITH ORDINALITY AS v(tenant, pass, weight, pos)
    CROSS JOIN LATERAL (
      SELECT q.id, q.concurrency_key,
        row_number() OVER (ORDER BY q.priority DESC, q.run_at, q.id) AS rk
      FROM (
        SELECT id, concurrency_key, priority, run_at FROM jobs
        WHERE status = 'queued' AND queue = p_queue AND tenant = v.tenant
          AND (p_types IS NULL OR type = ANY (p_types))
          AND (concurrency_key IS NULL OR concurrency_key <> ALL (v_full))
        ORDER BY priority DESC, run_at, id
        LIMIT p_limit - v.pos + 1
        FOR UPDATE SKIP LOCKED) AS q
    ) AS p
  ), picked AS (
    SELECT w.id, w.tenant FROM (
      SELECT probe.*, row_number() OVER (PARTITION BY probe.concurrency_key
                                         ORDER BY probe.tag, probe.tenant, probe.rk) AS kn
      FROM probe) AS w
    WHERE p_key_cap IS NULL OR w.concurrency_key IS NULL
       OR w.kn <= p_key_cap - coalesce((v_running ->> w.concurrency_key)::int, 0)
    ORDER BY w.tag, w.tenant, w.rk
    LIMIT p_limit
  )
  SELECT (SELECT array_agg(id) FROM picked), (SELECT array_agg(tenant) FROM picked),
    (SELECT array_agg(DISTINCT tenant) FROM probe)
  INTO v_ids, v_served, v_probed;

  IF coalesce(cardinality(v_ids), 0) < p_limit AND p_key_cap IS NULL THEN
    SELECT array_agg(c.id), coalesce(v_served, '{}') || array_agg(c.tenant) INTO v_rest, v_served
    FROM (
      SELECT id, tenant FROM jobs
      WHERE status = 'queued' AND queue = p_queue
        AND (p_types IS NULL OR type = ANY (p_types))
        AND id <> ALL (coalesce(v_ids, '{}'))
      ORDER BY priority DESC, run_at, id
      LIMIT p_limit - coalesce(cardinality(v_ids), 0)
      FOR UPDATE SKIP LOCKED) AS c;
    v_ids := coalesce(v_ids, '{}') || coalesce(v_rest, '{}');
  END IF;

  UPDATE ready_tenants AS r SET pass = r.pass + s.n / s.weight
  FROM (
    SELECT u.tenant, count(*)::double precision AS n, coalesce(max(t.weight), 1) AS weight
    FROM unnest(v_served) AS u(tenant) LEFT JOIN tenants AS t ON t.tenant = u.tenant
    GROUP BY u.tenant) AS s
  WHERE r.queue = p_queue AND r.tenant = s.tenant;

  FOREACH v_tenant IN ARRAY coalesce(v_tenants, '{}') LOOP
    CONTINUE WHEN v_tenant = ANY (coalesce(v_probed, '{}'));
    PERFORM 1 FROM ready_tenants WHERE queue = p_queue AND tenant = v_tenant
      FOR UPDATE SKIP LOCKED;
    CONTINUE WHEN NOT FOUND;
    DELETE FROM ready_tenants AS r WHERE r.queue = p_queue AND r.tenant = v_tenant
      AND NOT EXISTS (SELECT 1 FROM jobs
                      WHERE status = 'queued' AND queue = p_queue AND tenant = v_tenant);
  END LOOP;

  RETURN CASE WHEN cardinality(v_ids) > 0 THEN v_ids END;
END
$$`;
