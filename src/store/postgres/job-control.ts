/**
 * Operator actions on one job — cancel and retry ("redrive") — each in a transaction that first
 * locks the job's row (SELECT … FOR UPDATE), the PostgreSQL counterpart of SQLite's BEGIN
 * IMMEDIATE: the state checked is the state changed, even with workers writing concurrently.
 * A job another tenant owns is reported as not found, never as forbidden.
 */
import type pg from "pg";
import {
  InvalidTransitionError,
  SpoolConflictError,
  SpoolNotFoundError,
} from "../../core/errors.js";
import { isUuid } from "../../core/ids.js";
import type { JobRecord } from "../../core/job.js";
import type { JsonValue } from "../../core/json.js";
import { isFinalState } from "../../core/states.js";
import { rowToJob, type JobRow } from "./job-row.js";
import { runStatement, withTransaction, type Queryable, type Statements } from "./postgres-pool.js";

/** The row of a job the tenant may see, locked until commit; throws SpoolNotFoundError otherwise. */
async function lockVisibleRow(
  client: Queryable,
  statements: Statements,
  id: string,
  tenant: string | undefined,
): Promise<JobRow> {
  const row = isUuid(id)
    ? (await runStatement<JobRow>(client, statements.SELECT_JOB_FOR_UPDATE, [id])).rows[0]
    : undefined;
  if (row === undefined || (tenant !== undefined && row.tenant !== tenant))
    throw new SpoolNotFoundError("job", id);
  return row;
}

/**
 * Cancels a waiting job at once, or flags a running one (`cancelRequested`); throws
 * `SpoolConflictError` when the job is already final.
 */
export async function cancelJob(
  pool: pg.Pool,
  statements: Statements,
  params: { id: string; tenant?: string; now: number },
): Promise<JobRecord> {
  return withTransaction(pool, async (client) => {
    const row = await lockVisibleRow(client, statements, params.id, params.tenant);
    if (isFinalState(row.status)) {
      throw new SpoolConflictError(`job ${row.id} is already ${row.status}`, {
        code: "job_final",
        details: { id: row.id, status: row.status },
      });
    }
    const statement =
      row.status === "running" ? statements.REQUEST_CANCEL : statements.CANCEL_WAITING_JOB;
    const result = await runStatement<JobRow>(client, statement, [row.id, params.now]);
    return rowToJob(result.rows[0]!);
  });
}

/** Moves a failed or cancelled job back to `queued` (attempts reset) and notifies its queue. */
export async function retryJob(
  pool: pg.Pool,
  statements: Statements,
  channel: string,
  params: { id: string; tenant?: string; now: number },
): Promise<JobRecord> {
  return withTransaction(pool, async (client) => {
    const row = await lockVisibleRow(client, statements, params.id, params.tenant);
    if (row.status !== "failed" && row.status !== "cancelled") {
      throw new InvalidTransitionError(row.status, "queued", {
        details: { id: row.id, reason: "only failed or cancelled jobs can be retried" },
      });
    }
    const result = await runStatement<JobRow>(client, statements.RETRY_JOB, [row.id, params.now]);
    await runStatement(client, statements.NOTIFY_QUEUES, [channel, [row.queue]]);
    return rowToJob(result.rows[0]!);
  });
}

/** The job, or null when unknown (or not the tenant's). */
/** The results of the completed jobs among `ids`, by id. */
export async function readJobResults(
  on: Queryable,
  statements: Statements,
  ids: readonly string[],
): Promise<Map<string, JsonValue | null>> {
  const uuids = ids.filter(isUuid);
  if (uuids.length === 0) return new Map();
  const result = await runStatement<{ id: string; result: JsonValue | null }>(
    on,
    statements.SELECT_JOB_RESULTS,
    [uuids],
  );
  return new Map(result.rows.map((row) => [row.id, row.result]));
}

export async function getJob(
  on: Queryable,
  statements: Statements,
  params: { id: string; tenant?: string },
): Promise<JobRecord | null> {
  if (!isUuid(params.id)) return null;
  const result = await runStatement<JobRow>(on, statements.SELECT_JOB, [params.id]);
  const row = result.rows[0];
  if (row === undefined || (params.tenant !== undefined && row.tenant !== params.tenant))
    return null;
  return rowToJob(row);
}
