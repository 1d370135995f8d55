/**
 * The hottest transaction of the SQLite store: claiming a batch of jobs (with due-job
 * promotion, pause, concurrency and rate checks), logging `job.started` in the same
 * transaction. The store runs it inside a cached IMMEDIATE transaction.
 */
import { servedTypes } from "../../core/claim-types.js";
import { randomToken } from "../../core/ids.js";
import type { RateLimit } from "../../core/traffic.js";
import { TIMEOUT_GRACE_MS, type ClaimedJob, compareClaimOrder } from "../../core/job.js";
import type { Store } from "../store.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import { appendJobEvents, eventIdentity } from "./event-log.js";
import { claimRowToJob, type ClaimRow, type QueueRow } from "./job-row.js";
import * as jobsSql from "./sql/jobs.js";
import * as queuesSql from "./sql/queues.js";
import {
  claimTrafficRows,
  needsTrafficClaim,
  rateBudget,
  rateOf,
  spendRate,
  type TrafficClaim,
} from "./traffic-claim.js";

/** Parameters of a claim. */
export type ClaimParams = Parameters<Store["claimJobs"]>[0];

/** Told when a queue's rate limit stopped a claim: the next start is allowed at `nextAt`. */
export type RateLimitedListener = (queue: string, nextAt: number) => void;

/** The body of a claim (inside its IMMEDIATE transaction). */
export function claimRows(
  db: SqliteConnection,
  p: ClaimParams,
  onRateLimited?: RateLimitedListener,
): ClaimedJob[] {
  const claimed: ClaimedJob[] = [];
  const leaseToken = randomToken();
  const types = servedTypes(p.types);
  if (types?.length === 0) return claimed;
  const typesJson = types === undefined ? null : JSON.stringify(types);
  for (const queue of p.queues) {
    const wanted = p.limit - claimed.length;
    if (wanted <= 0) break;
    const config = db.stmt(queuesSql.SELECT_QUEUE).get({ name: queue }) as QueueRow | undefined;
    const budget = queueBudget(db, config, queue, wanted, p.now);
    if (budget.limit <= 0) {
      if (budget.nextAt !== null) onRateLimited?.(queue, budget.nextAt);
      continue;
    }
    const { limit, rate } = budget;
    db.stmt(jobsSql.PROMOTE_DUE_IN_QUEUE).run({ queue, now: p.now, limit });
    const claim = {
      queue,
      types: typesJson,
      tenant: p.tenant ?? null,
      limit,
      worker: p.workerId,
      leaseToken,
      now: p.now,
      leaseMs: p.leaseMs,
      graceMs: TIMEOUT_GRACE_MS,
    };
    const rows = needsTrafficClaim(db, config, queue, claim.tenant)
      ? claimTrafficRows(db, config, claim)
      : claimPlainRows(db, claim);
    if (rate !== null && config !== undefined) {
      const nextAt = spendRate(db, config, rate, p.now, rows.length);
      // The bucket, not the backlog, cut this claim short: wake claimers at the next token.
      if (budget.rateBound && rows.length === limit) onRateLimited?.(queue, nextAt);
    }
    const jobs = rows.map(claimRowToJob).sort(compareClaimOrder);
    for (const job of jobs) claimed.push(job);
  }
  logStarted(db, claimed, p);
  return claimed;
}

/** What one queue may start now: paused, concurrency and rate limits applied to `wanted`. */
interface QueueBudget {
  limit: number;
  rate: RateLimit | null;
  /** The rate limit, not `wanted`, set `limit`. */
  rateBound: boolean;
  /** When the rate limit stopped the queue (limit 0): the next start allowed. */
  nextAt: number | null;
}

/** The claim budget of one queue (inside the claim's transaction). */
function queueBudget(
  db: SqliteConnection,
  config: QueueRow | undefined,
  queue: string,
  wanted: number,
  now: number,
): QueueBudget {
  const closed = { limit: 0, rate: null, rateBound: false, nextAt: null };
  if (config?.paused === 1) return closed;
  let limit = wanted;
  if (config?.concurrency != null) {
    const running = db.stmt(jobsSql.COUNT_RUNNING_IN_QUEUE).pluck().get({ queue }) as number;
    limit = Math.min(limit, config.concurrency - running);
    if (limit <= 0) return closed;
  }
  const rate = rateOf(config);
  if (rate === null || config === undefined)
    return { limit, rate: null, rateBound: false, nextAt: null };
  const { allowed, nextAt } = rateBudget(config, rate, now);
  if (allowed <= 0) return { ...closed, nextAt };
  return { limit: Math.min(limit, allowed), rate, rateBound: allowed < limit, nextAt: null };
}

/** Logs `job.started` for every claimed job (one INSERT for the batch). */
function logStarted(db: SqliteConnection, claimed: readonly ClaimedJob[], p: ClaimParams): void {
  appendJobEvents(
    db,
    claimed.map((job) => ({
      ...eventIdentity(job),
      name: "job.started",
      status: "running",
      data: {
        attempt: job.attempt,
        worker: p.workerId,
        waitMs: Math.max(0, p.now - job.runAt.getTime()),
      },
    })),
    p.now,
  );
}

/** Today's claim of one queue: one statement in claim order (any type, or the served ones). */
function claimPlainRows(db: SqliteConnection, c: TrafficClaim): ClaimRow[] {
  const statement = c.types === null ? jobsSql.CLAIM_JOBS : jobsSql.CLAIM_JOBS_OF_TYPES;
  return db.rawStmt(statement).all({
    queue: c.queue,
    ...(c.types === null ? {} : { types: c.types }),
    tenant: c.tenant,
    limit: c.limit,
    worker: c.worker,
    lease_token: c.leaseToken,
    now: c.now,
    lease_ms: c.leaseMs,
    grace_ms: c.graceMs,
  }) as ClaimRow[];
}
