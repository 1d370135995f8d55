/**
 * Job logs on PostgreSQL: appends fenced by the lease token (the job's row is locked while its
 * lines are written, so a line can never land after the attempt lost its lease and appends to
 * one job never interleave), the per-job cap applied by deleting the oldest lines, and paged
 * reads. Mirrors sqlite/job-logs.ts.
 */
import type pg from "pg";
import { isUuid } from "../../core/ids.js";
import { keepNewestLines, type JobLogLevel, type JobLogPage } from "../../core/job-logs.js";
import type { JobLogAppend, JobLogAppendOutcome } from "../store.js";
import { runStatement, withTransaction, type Queryable, type Statements } from "./postgres-pool.js";

interface LineRow {
  seq: number;
  attempt: number;
  level: JobLogLevel;
  message: string;
  logged_at: number;
}

/** Appends each entry's lines under its lease, in one transaction. */
export async function appendJobLogs(
  pool: pg.Pool,
  statements: Statements,
  params: { entries: readonly JobLogAppend[]; keepLines: number; now: number },
): Promise<JobLogAppendOutcome[]> {
  if (params.entries.length === 0) return [];
  return withTransaction(pool, async (client) => {
    const outcomes: JobLogAppendOutcome[] = [];
    for (const entry of params.entries) {
      outcomes.push(await appendOne(client, statements, entry, params.keepLines));
    }
    return outcomes;
  });
}

async function appendOne(
  client: Queryable,
  statements: Statements,
  entry: JobLogAppend,
  keepLines: number,
): Promise<JobLogAppendOutcome> {
  if (!isUuid(entry.id)) return { id: entry.id, ok: false };
  const lease = await runStatement<{ attempt: number }>(client, statements.SELECT_LOG_LEASE, [
    entry.id,
    entry.leaseToken,
  ]);
  const attempt = lease.rows[0]?.attempt;
  if (attempt === undefined) return { id: entry.id, ok: false };
  const { lines, skipped } = keepNewestLines(entry.lines, entry.skipped ?? 0, keepLines);
  const last = await runStatement<{ seq: number }>(client, statements.SELECT_LAST_LOG_SEQ, [
    entry.id,
  ]);
  const firstSeq = last.rows[0]!.seq + skipped + 1;
  await runStatement(client, statements.INSERT_LOG_LINES, [
    entry.id,
    firstSeq,
    attempt,
    lines.map((line) => line.level),
    lines.map((line) => line.message),
    lines.map((line) => line.at),
  ]);
  const lastSeq = firstSeq + lines.length - 1;
  await runStatement(client, statements.DELETE_OLD_LOG_LINES, [entry.id, lastSeq - keepLines]);
  return { id: entry.id, ok: true, lastSeq };
}

/** A page of a job's lines; null when the job is unknown or not the tenant's. */
export async function readJobLogs(
  on: Queryable,
  statements: Statements,
  params: { id: string; tenant?: string; attempt?: number; afterSeq: number; limit: number },
): Promise<JobLogPage | null> {
  if (!isUuid(params.id)) return null;
  const summary = (
    await runStatement<{ tenant: string; last_seq: number; lines: number }>(
      on,
      statements.SELECT_LOG_SUMMARY,
      [params.id],
    )
  ).rows[0];
  if (summary === undefined || (params.tenant !== undefined && summary.tenant !== params.tenant))
    return null;
  const rows = (
    await runStatement<LineRow>(on, statements.SELECT_LOG_LINES, [
      params.id,
      params.afterSeq,
      params.attempt ?? null,
      params.limit + 1,
    ])
  ).rows;
  return {
    lines: rows.slice(0, params.limit).map((row) => ({
      seq: row.seq,
      attempt: row.attempt,
      level: row.level,
      message: row.message,
      at: new Date(row.logged_at),
    })),
    hasMore: rows.length > params.limit,
    droppedLines: summary.last_seq - summary.lines,
  };
}
