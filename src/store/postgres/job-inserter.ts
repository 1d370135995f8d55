/**
 * Inserting submissions: queue defaults read (and queues registered) in one statement, every
 * job inserted in one more, holders of duplicate unique keys looked up in a third only when
 * there are duplicates, and the new jobs charged to their tenants' quotas in a last one.
 *
 * Atomicity: every statement of a submission group runs in one transaction — the store's own
 * (`writeSubmissionGroup`) or the caller's (a transactional enqueue) — so a failure anywhere
 * (a later statement, a constraint, a quota) leaves nothing behind: no job, no queue
 * registration, no quota charge. That is also what makes the batcher's call-by-call retry of a
 * failed group safe: the failed group committed nothing.
 */
import {
  newJobRecord,
  resolveJob,
  type QueueDefaults,
  type ResolvedJob,
} from "../../core/options.js";
import type pg from "pg";
import type { EnqueueOutcome } from "../store.js";
import { encodeTextArray, rowToJob, rowToQueue, type JobRow, type QueueRow } from "./job-row.js";
import { isConnectionError } from "./postgres-errors.js";
import { runStatement, type Queryable, type Statements } from "./postgres-pool.js";
import { chargeQuotas } from "./quotas.js";
import type { Submission } from "../shared/submission-batcher.js";

/** How many times a duplicate whose holder vanished (finished and pruned) is inserted again. */
const MAX_HOLDER_RETRIES = 3;

/** Inserts every submission of `group` (in order); returns each one's outcomes. */
export async function insertJobs(
  on: Queryable,
  statements: Statements,
  channel: string,
  group: readonly Submission[],
): Promise<EnqueueOutcome[][]> {
  const defaults = await registerQueues(on, statements, group);
  const resolved = group.map((submission) =>
    submission.jobs.map((input) => resolveJob(input, defaults.get(input.queue), submission.now)),
  );
  const outcomes = new Map<string, EnqueueOutcome>();
  let pending = resolved.flat();
  for (let round = 0; pending.length > 0; round++) {
    if (round > MAX_HOLDER_RETRIES)
      throw new Error("unique-key holders kept vanishing while enqueueing; try again");
    const inserted = await insertRows(on, statements, channel, pending);
    const duplicates: ResolvedJob[] = [];
    for (const job of pending) {
      if (inserted.has(job.id)) outcomes.set(job.id, { job: newJobRecord(job), duplicate: false });
      else duplicates.push(job);
    }
    pending = await resolveDuplicates(on, statements, duplicates, outcomes);
  }
  // New (non-duplicate) jobs are charged to their tenant's quota in the same transaction (the
  // caller's or the store's): over it, the whole group rolls back and the batcher retries its
  // calls one by one. Unmetered tenants (no tier, no quota) cost the statement nothing (an
  // empty join). Every submission of a group has the same tier policy (the batcher's rule).
  const newByTenant = new Map<string, number>();
  for (const outcome of outcomes.values()) {
    if (!outcome.duplicate)
      newByTenant.set(outcome.job.tenant, (newByTenant.get(outcome.job.tenant) ?? 0) + 1);
  }
  await chargeQuotas(on, statements, newByTenant, group[0]!.now, group[0]!.tiers);
  return resolved.map((jobs) => jobs.map((job) => outcomes.get(job.id)!));
}

/** Registers the group's queues and returns their job defaults. */
async function registerQueues(
  on: Queryable,
  statements: Statements,
  group: readonly Submission[],
): Promise<Map<string, QueueDefaults>> {
  // Sorted, so that racing registrations of the same new queues take their locks in one order.
  const queues = [...new Set(group.flatMap((s) => s.jobs.map((job) => job.queue)))].sort();
  const result = await runStatement<QueueRow>(on, statements.REGISTER_QUEUE, [
    queues,
    group[0]!.now,
  ]);
  return new Map(result.rows.map((row) => [row.name, rowToQueue(row)]));
}

/** Inserts `jobs` in one statement; returns the ids that were inserted (not duplicates). */
async function insertRows(
  on: Queryable,
  statements: Statements,
  channel: string,
  jobs: readonly ResolvedJob[],
): Promise<Set<string>> {
  const column = <T>(pick: (job: ResolvedJob) => T): T[] => jobs.map(pick);
  const result = await runStatement<{ id: string }>(on, statements.INSERT_JOB, [
    column((j) => j.id),
    column((j) => j.tenant),
    column((j) => j.queue),
    column((j) => j.type),
    column((j) => j.payloadJson),
    column((j) => j.status),
    column((j) => j.priority),
    column((j) => j.maxAttempts),
    column((j) => j.runAt),
    column((j) => j.timeoutMs),
    column((j) => j.backoff.baseMs),
    column((j) => j.backoff.capMs),
    column((j) => j.uniqueKey),
    column((j) => encodeTextArray(j.tags)),
    column((j) => j.webhookUrl),
    column((j) => j.createdAt),
    channel,
    column((j) => j.traceContext?.traceparent ?? null),
    column((j) => j.traceContext?.tracestate ?? null),
    column((j) => j.concurrencyKey),
  ]);
  return new Set(result.rows.map((row) => row.id));
}

/**
 * Fills in the outcome of each duplicate with the unfinished job holding its key. Returns the
 * duplicates whose holder is gone by now (finished and pruned in between): they are inserted
 * again.
 */
async function resolveDuplicates(
  on: Queryable,
  statements: Statements,
  duplicates: readonly ResolvedJob[],
  outcomes: Map<string, EnqueueOutcome>,
): Promise<ResolvedJob[]> {
  if (duplicates.length === 0) return [];
  const result = await runStatement<JobRow>(on, statements.SELECT_UNIQUE_HOLDER, [
    duplicates.map((job) => job.tenant),
    duplicates.map((job) => job.queue),
    duplicates.map((job) => job.uniqueKey),
  ]);
  const key = (tenant: string, queue: string, uniqueKey: string | null): string =>
    JSON.stringify([tenant, queue, uniqueKey]);
  const holders = new Map(
    result.rows.map((row) => [key(row.tenant, row.queue, row.unique_key), row]),
  );
  const missing: ResolvedJob[] = [];
  for (const job of duplicates) {
    const holder = holders.get(key(job.tenant, job.queue, job.uniqueKey));
    if (holder === undefined) missing.push(job);
    else outcomes.set(job.id, { job: rowToJob(holder), duplicate: true });
  }
  return missing;
}

/**
 * Writes a group of submissions in one transaction (see the module header). When the COMMIT
 * itself fails because the connection broke, the outcome is unknown to us: the commit may have
 * reached the server. Rather than report jobs that may be committed as failed, the first new
 * job is looked up on another connection: found, the write committed and its outcomes are
 * returned; not found (or the lookup fails too), the error is rethrown.
 */
export async function writeSubmissionGroup(
  pool: pg.Pool,
  statements: Statements,
  channel: string,
  group: readonly Submission[],
): Promise<EnqueueOutcome[][]> {
  const client = await pool.connect();
  let outcomes: EnqueueOutcome[][];
  try {
    await client.query("BEGIN");
    outcomes = await insertJobs(client, statements, channel, group);
  } catch (error) {
    // A connection that broke, or cannot even roll back, is discarded rather than reused.
    let broken = isConnectionError(error) ? (error as Error) : undefined;
    if (broken === undefined)
      await client.query("ROLLBACK").catch((rollbackError: unknown) => {
        broken = rollbackError as Error;
      });
    client.release(broken);
    throw error;
  }
  try {
    await client.query("COMMIT");
    client.release();
    return outcomes;
  } catch (error) {
    client.release(error as Error);
    if (!isConnectionError(error)) throw error;
    const probe = outcomes.flat().find((outcome) => !outcome.duplicate);
    if (probe === undefined) return outcomes; // nothing new was written: the outcomes hold
    const found = await runStatement(pool, statements.SELECT_JOB, [probe.job.id]).catch(
      () => undefined,
    );
    if (found !== undefined && found.rows.length > 0) return outcomes;
    throw error;
  }
}
