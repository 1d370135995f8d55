/** Read queries of the SQLite store: pages of jobs and counts by state. */
import type { JobRecord } from "../../core/job.js";
import { JOB_STATES, type JobState } from "../../core/states.js";
import type { JobFilter, StateCounts } from "../store.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import { rowToJob, type JobRow } from "./job-row.js";
import * as jobsSql from "./sql/jobs.js";
import { decodeCursor, encodeCursor } from "../shared/page-cursor.js";

/** A page of jobs, newest first. */
export function listJobs(
  db: SqliteConnection,
  params: JobFilter & { limit: number; cursor?: string },
): { jobs: JobRecord[]; nextCursor: string | null } {
  const where: string[] = [];
  const values: Record<string, unknown> = { limit: params.limit + 1 };
  if (params.tenant !== undefined) {
    where.push("tenant = @tenant");
    values.tenant = params.tenant;
  }
  if (params.status !== undefined && params.status.length > 0) {
    const names = params.status.map((status, i) => {
      values[`status${i}`] = status;
      return `@status${i}`;
    });
    where.push(`status IN (${names.join(", ")})`);
  }
  for (const field of ["queue", "type"] as const) {
    if (params[field] !== undefined) {
      where.push(`${field} = @${field}`);
      values[field] = params[field];
    }
  }
  // With a tag, the page walks job_tags (migration 0007: primary key (tag, job_id)) backwards
  // from the cursor and joins each job: it reads the page's rows of that tag, not every job of
  // it (`id IN (SELECT …)` built the tag's whole id list first: 100,000 ids for a tenth of
  // 1,000,000 jobs; docs/benchmarks.md).
  const tagged = params.tag !== undefined;
  const id = tagged ? "job_tags.job_id" : "id";
  if (tagged) {
    where.push("job_tags.tag = @tag");
    values.tag = params.tag;
  }
  if (params.cursor !== undefined) {
    where.push(`${id} < @cursor`);
    values.cursor = decodeCursor(params.cursor);
  }
  // The WHERE clause is assembled from the fixed fragments above only (no caller text).
  const from = tagged ? "job_tags JOIN jobs ON jobs.id = job_tags.job_id" : "jobs";
  const sql = `SELECT jobs.* FROM ${from} ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ${id} DESC LIMIT @limit`;
  const rows = db.guard(() => db.stmt(sql).all(values) as JobRow[]);
  const more = rows.length > params.limit;
  const page = more ? rows.slice(0, params.limit) : rows;
  return {
    jobs: page.map(rowToJob),
    nextCursor: more ? encodeCursor(page[page.length - 1]!.id) : null,
  };
}

/** Counts of jobs by state. */
export function countJobsByState(
  db: SqliteConnection,
  params: { tenant?: string; queue?: string },
): StateCounts {
  const where: string[] = [];
  const values: Record<string, unknown> = {};
  for (const field of ["tenant", "queue"] as const) {
    if (params[field] !== undefined) {
      where.push(`${field} = @${field}`);
      values[field] = params[field];
    }
  }
  const sql = `${jobsSql.COUNT_BY_STATE} ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} GROUP BY status`;
  const rows = db.guard(() => db.stmt(sql).all(values) as { status: JobState; n: number }[]);
  const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as StateCounts;
  for (const row of rows) counts[row.status] = row.n;
  return counts;
}
