/**
 * Traffic control inside a SQLite claim (SPEC §7; docs/design.md "Traffic control"), called by
 * job-claimer.ts for each queue within the claim's IMMEDIATE transaction:
 *
 *   * the rate limit: a token bucket (core/traffic.ts) whose state, `queues.rate_tat`, this
 *     claim reads and moves in the same transaction, so every process on the file shares it;
 *   * keyed concurrency: running jobs per concurrency key (jobs_running_key_idx) decide which
 *     keys are at their cap, and the claim takes at most the rest of each key's cap;
 *   * fair scheduling by tenant: with two or more ready tenants, candidates come from the
 *     tenants with the lowest passes (one probe of jobs_claim_tenant_idx each) and are served
 *     in stride order (core/traffic.ts), so a claim reads only the tenants it serves.
 *
 * The common case — no key cap and at most one ready tenant — never comes here past one read of
 * `ready_tenants` (job-claimer.ts keeps today's single-statement claim for it).
 */
import { fairTag, rateAfterStarts, rateAllowance, type RateLimit } from "../../core/traffic.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import type { ClaimRow, QueueRow } from "./job-row.js";
import * as trafficSql from "./sql/traffic.js";

/** One claim's view of a queue, for the traffic steps. */
export interface TrafficClaim {
  queue: string;
  limit: number;
  tenant: string | null;
  /** JSON array of served types, or null for any. */
  types: string | null;
  worker: string;
  leaseToken: string;
  now: number;
  leaseMs: number;
  graceMs: number;
}

/** The queue's rate limit, when it has one. */
export function rateOf(config: QueueRow | undefined): RateLimit | null {
  if (config?.rate_limit == null || config.rate_period_ms == null) return null;
  return { limit: config.rate_limit, periodMs: config.rate_period_ms };
}

/** Starts the bucket allows now, and when the next is allowed. */
export function rateBudget(
  config: QueueRow,
  rate: RateLimit,
  now: number,
): { allowed: number; nextAt: number } {
  return rateAllowance(rate, config.rate_tat, now);
}

/** Takes `started` tokens from the queue's bucket; returns when the next start is allowed. */
export function spendRate(
  db: SqliteConnection,
  config: QueueRow,
  rate: RateLimit,
  now: number,
  started: number,
): number {
  if (started <= 0) return rateAllowance(rate, config.rate_tat, now).nextAt;
  const tat = rateAfterStarts(rate, config.rate_tat, now, started);
  db.stmt(trafficSql.UPDATE_RATE_TAT).run({ name: config.name, tat });
  return Math.max(now, Math.ceil(tat - rate.periodMs + rate.periodMs / rate.limit));
}

/** True when this claim of the queue needs the traffic path (key cap, or tenants to share). */
export function needsTrafficClaim(
  db: SqliteConnection,
  config: QueueRow | undefined,
  queue: string,
  tenant: string | null,
): boolean {
  if (config?.key_concurrency != null) return true;
  if (tenant !== null) return false;
  return (db.stmt(trafficSql.COUNT_READY_TENANTS).pluck().get({ queue }) as number) > 1;
}

interface Candidate {
  rowid: number;
  tenant: string;
  concurrency_key: string | null;
}

/** Claims up to `c.limit` jobs of the queue with key caps and fairness; see the module header. */
export function claimTrafficRows(
  db: SqliteConnection,
  config: QueueRow | undefined,
  c: TrafficClaim,
): ClaimRow[] {
  const keyCap = config?.key_concurrency ?? null;
  const running = keyCap === null ? new Map<string, number>() : runningByKey(db, c.queue);
  const saturated = [...running].filter(([, n]) => keyCap !== null && n >= keyCap).map(([k]) => k);
  const filters = { types: c.types, saturated: JSON.stringify(saturated), exclude: "[]" };
  const multi = c.tenant === null && countReadyTenants(db, c.queue) > 1;
  const budget = (candidates: Candidate[], limit: number): Candidate[] =>
    withinKeyCaps(candidates, running, keyCap, limit);
  let picked: Candidate[];
  if (multi) {
    picked = budget(fairCandidates(db, c, filters), c.limit);
    if (picked.length < c.limit && keyCap === null) {
      // Tenants read but without claimable jobs (other types, rows locked): fill from the queue.
      const exclude = JSON.stringify(picked.map((p) => p.rowid));
      const rest = queueCandidates(db, c, { ...filters, exclude }, c.limit - picked.length);
      picked = picked.concat(rest);
    }
    advancePasses(db, c.queue, picked);
  } else {
    picked = budget(queueCandidates(db, c, filters, c.limit * 4), c.limit);
  }
  if (picked.length === 0) return [];
  return db.rawStmt(trafficSql.CLAIM_PICKED_JOBS).all({
    rowids: JSON.stringify(picked.map((p) => p.rowid)),
    worker: c.worker,
    lease_token: c.leaseToken,
    now: c.now,
    lease_ms: c.leaseMs,
    grace_ms: c.graceMs,
  }) as ClaimRow[];
}

function countReadyTenants(db: SqliteConnection, queue: string): number {
  return db.stmt(trafficSql.COUNT_READY_TENANTS).pluck().get({ queue }) as number;
}

function runningByKey(db: SqliteConnection, queue: string): Map<string, number> {
  const rows = db.stmt(trafficSql.COUNT_RUNNING_BY_KEY).all({ queue }) as {
    key: string;
    running: number;
  }[];
  return new Map(rows.map((row) => [row.key, row.running]));
}

/** Candidates in order, keeping each key under its cap, at most `limit`. */
function withinKeyCaps(
  candidates: Candidate[],
  running: Map<string, number>,
  keyCap: number | null,
  limit: number,
): Candidate[] {
  if (keyCap === null) return candidates.slice(0, limit);
  const used = new Map(running);
  const out: Candidate[] = [];
  for (const candidate of candidates) {
    if (out.length >= limit) break;
    const key = candidate.concurrency_key;
    if (key !== null) {
      const n = used.get(key) ?? 0;
      if (n >= keyCap) continue;
      used.set(key, n + 1);
    }
    out.push(candidate);
  }
  return out;
}

type Filters = { types: string | null; saturated: string; exclude: string };

function queueCandidates(
  db: SqliteConnection,
  c: TrafficClaim,
  filters: Filters,
  limit: number,
): Candidate[] {
  return db
    .stmt(trafficSql.SELECT_QUEUE_CANDIDATES)
    .all({ queue: c.queue, scope: c.tenant, limit, ...filters }) as Candidate[];
}

/**
 * Stride order over the `c.limit` ready tenants with the lowest passes: the k-th next job of a
 * tenant is served at `pass + k / weight`. The tenant at position i can win at most
 * `limit - i` jobs (every tenant before it wins its first one earlier), so it is probed for
 * that many. A tenant without a queued job left loses its row.
 */
function fairCandidates(db: SqliteConnection, c: TrafficClaim, filters: Filters): Candidate[] {
  const tenants = db
    .stmt(trafficSql.SELECT_READY_TENANTS)
    .all({ queue: c.queue, limit: c.limit }) as { tenant: string; pass: number; weight: number }[];
  const tagged: { candidate: Candidate; tag: number; rank: number }[] = [];
  tenants.forEach((t, i) => {
    const rows = db.stmt(trafficSql.SELECT_TENANT_CANDIDATES).all({
      queue: c.queue,
      tenant: t.tenant,
      limit: c.limit - i,
      ...filters,
    }) as Candidate[];
    if (rows.length === 0)
      db.stmt(trafficSql.DELETE_IDLE_TENANT).run({ queue: c.queue, tenant: t.tenant });
    rows.forEach((candidate, rank) => {
      tagged.push({ candidate, rank, tag: fairTag({ ...t, rank }) });
    });
  });
  tagged.sort(
    (a, b) =>
      a.tag - b.tag ||
      (a.candidate.tenant < b.candidate.tenant
        ? -1
        : a.candidate.tenant > b.candidate.tenant
          ? 1
          : 0) ||
      a.rank - b.rank,
  );
  return tagged.map((t) => t.candidate);
}

/** Moves each served tenant's pass on by the jobs it was served (divided by its weight). */
function advancePasses(db: SqliteConnection, queue: string, picked: readonly Candidate[]): void {
  const served = new Map<string, number>();
  for (const p of picked) served.set(p.tenant, (served.get(p.tenant) ?? 0) + 1);
  for (const [tenant, n] of served) {
    db.stmt(trafficSql.ADVANCE_TENANT_PASS).run({ queue, tenant, served: n });
  }
}
