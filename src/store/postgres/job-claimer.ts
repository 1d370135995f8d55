/**
 * Claims on PostgreSQL: one call of the server-side function `claim_jobs` (see
 * sql/claim-function.ts) claims from every queue asked for, in order, in one round trip and one
 * transaction. All jobs of one call share one lease token.
 */
import { servedTypes } from "../../core/claim-types.js";
import { randomToken } from "../../core/ids.js";
import { TIMEOUT_GRACE_MS, type ClaimedJob, compareClaimOrder } from "../../core/job.js";
import type { Store } from "../store.js";
import { claimRowToJob, type JobRow } from "./job-row.js";
import { runStatement, type Queryable, type Statements } from "./postgres-pool.js";

/** Parameters of a claim (the store contract's). */
export type ClaimParams = Parameters<Store["claimJobs"]>[0];

/** Claims up to `params.limit` jobs; see the module header. */
export async function claimJobs(
  on: Queryable,
  statements: Statements,
  channel: string,
  params: ClaimParams,
): Promise<ClaimedJob[]> {
  const types = servedTypes(params.types);
  if (types?.length === 0) return [];
  const result = await runStatement<Omit<JobRow, "status">>(on, statements.CLAIM_JOBS, [
    params.queues,
    params.limit,
    params.workerId,
    randomToken(),
    params.now,
    params.leaseMs,
    TIMEOUT_GRACE_MS,
    params.tenant ?? null,
    channel,
    types ?? null,
  ]);
  const jobs = result.rows.map(claimRowToJob);
  if (params.queues.length === 1) return jobs.sort(compareClaimOrder);
  // Queues in the order asked for; inside each, claim order (RETURNING does not keep it).
  const rank = new Map(params.queues.map((queue, i) => [queue, i]));
  return jobs.sort((a, b) => rank.get(a.queue)! - rank.get(b.queue)! || compareClaimOrder(a, b));
}
