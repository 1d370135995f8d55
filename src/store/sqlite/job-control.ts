/**
 * Operator actions on one job on SQLite — cancel and retry ("redrive") — and reading one job.
 * Each action runs in one IMMEDIATE transaction (the state checked is the state changed, even
 * with workers in other processes writing) and logs its event in it. A job another tenant owns
 * is reported as not found, never as forbidden.
 */
import {
  InvalidTransitionError,
  SpoolConflictError,
  SpoolNotFoundError,
} from "../../core/errors.js";
import { isUuid } from "../../core/ids.js";
import type { JobRecord } from "../../core/job.js";
import type { JsonValue } from "../../core/json.js";
import { isFinalState } from "../../core/states.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import { appendJobEvents, eventIdentity } from "./event-log.js";
import { rowToJob, type JobRow } from "./job-row.js";
import * as jobsSql from "./sql/jobs.js";

/** The row of a job the tenant may see; throws SpoolNotFoundError otherwise. */
function visibleRow(db: SqliteConnection, id: string, tenant: string | undefined): JobRow {
  const row = isUuid(id)
    ? (db.stmt(jobsSql.SELECT_JOB).get({ id }) as JobRow | undefined)
    : undefined;
  if (row === undefined || (tenant !== undefined && row.tenant !== tenant)) {
    throw new SpoolNotFoundError("job", id);
  }
  return row;
}

/** The results of the completed jobs among `ids`, by id. */
export function readJobResults(
  db: SqliteConnection,
  ids: readonly string[],
): Map<string, JsonValue | null> {
  return db.guard(() => {
    const rows = db.stmt(jobsSql.SELECT_JOB_RESULTS).all({ ids: JSON.stringify(ids) }) as {
      id: string;
      result: string | null;
    }[];
    return new Map(
      rows.map((row) => [
        row.id,
        row.result === null ? null : (JSON.parse(row.result) as JsonValue),
      ]),
    );
  });
}

/** The job, or null when unknown or not the tenant's. */
export function getJob(
  db: SqliteConnection,
  params: { id: string; tenant?: string },
): JobRecord | null {
  return db.guard(() => {
    const row = db.stmt(jobsSql.SELECT_JOB).get({ id: params.id }) as JobRow | undefined;
    if (row === undefined || (params.tenant !== undefined && row.tenant !== params.tenant))
      return null;
    return rowToJob(row);
  });
}

/**
 * Cancels a waiting job at once, or flags a running one (`cancelRequested`); throws
 * `SpoolConflictError` when the job is already final.
 */
export function cancelJob(
  db: SqliteConnection,
  params: { id: string; tenant?: string; now: number },
): JobRecord {
  return db.write(() => {
    const row = visibleRow(db, params.id, params.tenant);
    if (isFinalState(row.status)) {
      throw new SpoolConflictError(`job ${row.id} is already ${row.status}`, {
        code: "job_final",
        details: { id: row.id, status: row.status },
      });
    }
    if (row.status === "running") {
      db.stmt(jobsSql.REQUEST_CANCEL).run({ id: row.id, now: params.now });
    } else {
      db.stmt(jobsSql.CANCEL_WAITING_JOB).run({ id: row.id, now: params.now });
      appendJobEvents(
        db,
        [{ ...eventIdentity(row), name: "job.cancelled", status: "cancelled" }],
        params.now,
      );
    }
    return rowToJob(db.stmt(jobsSql.SELECT_JOB).get({ id: row.id }) as JobRow);
  });
}

/** Moves a failed or cancelled job back to `queued` (attempts reset). */
export function retryJob(
  db: SqliteConnection,
  params: { id: string; tenant?: string; now: number },
): JobRecord {
  return db.write(() => {
    const row = visibleRow(db, params.id, params.tenant);
    if (row.status !== "failed" && row.status !== "cancelled") {
      throw new InvalidTransitionError(row.status, "queued", {
        details: { id: row.id, reason: "only failed or cancelled jobs can be retried" },
      });
    }
    db.stmt(jobsSql.RETRY_JOB).run({ id: row.id, now: params.now });
    appendJobEvents(
      db,
      [
        {
          ...eventIdentity(row),
          name: "job.queued",
          status: "queued",
          data: { runAt: params.now, reason: "retried" },
        },
      ],
      params.now,
    );
    return rowToJob(db.stmt(jobsSql.SELECT_JOB).get({ id: row.id }) as JobRow);
  });
}
