/**
 * Claims on PostgreSQL. One round trip promotes the due jobs of every queue asked for and reads
 * which of them are paused or limited; then each queue, in the order given, is claimed with one
 * CLAIM_JOBS statement (FOR UPDATE SKIP LOCKED: claimers on every host take disjoint rows without
 * waiting for each other) until the limit is reached. All jobs of one call share one lease token.
 *
 * A queue with a concurrency limit is claimed in a transaction that first locks the queue's
 * settings row (LOCK_QUEUE), then counts its running jobs: claimers of that queue on every host
 * take turns, and the count always includes every claim committed before. CLAIM_JOBS itself
 * refuses a paused queue, and on the unlocked path a queue that has a limit, as of its own
 * snapshot — so a pause or a new limit applies to every claim that starts after it commits.
 * With `tenant`, only that tenant's jobs are claimed (tenant-scoped remote workers). Each claimed
 * job's `job.started` event is logged by CLAIM_JOBS itself.
 */
import type pg from "pg";
import { randomToken } from "../../core/ids.js";
import { TIMEOUT_GRACE_MS, type ClaimedJob } from "../../core/job.js";
import type { Store } from "../store.js";
import { claimRowToJob, compareClaimOrder, type JobRow } from "./job-row.js";
import { runStatement, withTransaction, type Queryable, type Statements } from "./postgres-pool.js";

/** Parameters of a claim (the store contract's). */
export type ClaimParams = Parameters<Store["claimJobs"]>[0];

interface QueueLimits {
  name: string | null;
  paused: boolean | null;
  concurrency: number | null;
}

/** Claims up to `params.limit` jobs; see the module header. */
export async function claimJobs(
  pool: pg.Pool,
  statements: Statements,
  channel: string,
  params: ClaimParams,
): Promise<ClaimedJob[]> {
  const settings = await runStatement<QueueLimits>(pool, statements.PROMOTE_DUE_IN_QUEUE, [
    params.queues,
    params.now,
    channel,
  ]);
  const limits = new Map(
    settings.rows.filter((row) => row.name !== null).map((row) => [row.name!, row]),
  );
  const leaseToken = randomToken();
  const claimed: ClaimedJob[] = [];
  for (const queue of params.queues) {
    const limit = params.limit - claimed.length;
    if (limit <= 0) break;
    const config = limits.get(queue);
    if (config?.paused === true) continue;
    const rows =
      config?.concurrency == null
        ? await claimFrom(pool, statements, queue, limit, leaseToken, params, true)
        : await withTransaction(pool, (client) =>
            claimLimited(client, statements, queue, limit, leaseToken, params),
          );
    const jobs = rows.map(claimRowToJob).sort(compareClaimOrder);
    for (const job of jobs) claimed.push(job);
  }
  return claimed;
}

/** Claims from a concurrency-limited queue; runs inside a transaction on `client`. */
async function claimLimited(
  client: Queryable,
  statements: Statements,
  queue: string,
  limit: number,
  leaseToken: string,
  params: ClaimParams,
): Promise<JobRow[]> {
  const locked = await runStatement<{ paused: boolean; concurrency: number | null }>(
    client,
    statements.LOCK_QUEUE,
    [queue],
  );
  const config = locked.rows[0];
  if (config?.paused === true) return [];
  let allowed = limit;
  if (config?.concurrency != null) {
    const running = await runStatement<{ n: number }>(client, statements.COUNT_RUNNING_IN_QUEUE, [
      queue,
    ]);
    allowed = Math.min(limit, config.concurrency - running.rows[0]!.n);
    if (allowed <= 0) return [];
  }
  return claimFrom(client, statements, queue, allowed, leaseToken, params, false);
}

/** One CLAIM_JOBS statement; `unlimitedOnly` makes it refuse a queue that has a limit. */
async function claimFrom(
  on: Queryable,
  statements: Statements,
  queue: string,
  limit: number,
  leaseToken: string,
  params: ClaimParams,
  unlimitedOnly: boolean,
): Promise<JobRow[]> {
  const result = await runStatement<JobRow>(on, statements.CLAIM_JOBS, [
    queue,
    limit,
    params.workerId,
    leaseToken,
    params.now,
    params.leaseMs,
    TIMEOUT_GRACE_MS,
    unlimitedOnly,
    params.tenant ?? null,
  ]);
  return result.rows;
}
