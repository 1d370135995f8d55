/**
 * Job logs on SQLite: appends fenced by the lease token (checked in the same IMMEDIATE
 * transaction as the insert, so a line can never land after the attempt lost its lease), the
 * per-job cap applied by deleting the oldest lines, and paged reads.
 */
import { keepNewestLines, type JobLogLevel, type JobLogPage } from "../../core/job-logs.js";
import type { JobLogAppend, JobLogAppendOutcome } from "../store.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import * as sql from "./sql/job-logs.js";

interface LineRow {
  seq: number;
  attempt: number;
  level: JobLogLevel;
  message: string;
  logged_at: number;
}

/** Appends each entry's lines under its lease, in one transaction. */
export function appendJobLogs(
  db: SqliteConnection,
  params: { entries: readonly JobLogAppend[]; keepLines: number; now: number },
): JobLogAppendOutcome[] {
  if (params.entries.length === 0) return [];
  return db.write(() =>
    params.entries.map((entry): JobLogAppendOutcome => {
      const lease = db
        .stmt(sql.SELECT_LOG_LEASE)
        .get({ id: entry.id, lease_token: entry.leaseToken }) as { attempt: number } | undefined;
      if (lease === undefined) return { id: entry.id, ok: false };
      const { lines, skipped } = keepNewestLines(entry.lines, entry.skipped ?? 0, params.keepLines);
      const last = db.stmt(sql.SELECT_LAST_LOG_SEQ).pluck().get({ id: entry.id }) as number;
      const firstSeq = last + skipped + 1;
      db.stmt(sql.INSERT_LOG_LINES).run({
        id: entry.id,
        first_seq: firstSeq,
        attempt: lease.attempt,
        lines: JSON.stringify(lines),
      });
      const seq = firstSeq + lines.length - 1;
      db.stmt(sql.DELETE_OLD_LOG_LINES).run({ id: entry.id, before: seq - params.keepLines });
      return { id: entry.id, ok: true, lastSeq: seq };
    }),
  );
}

/** A page of a job's lines; null when the job is unknown or not the tenant's. */
export function readJobLogs(
  db: SqliteConnection,
  params: { id: string; tenant?: string; attempt?: number; afterSeq: number; limit: number },
): JobLogPage | null {
  return db.guard(() => {
    const summary = db.stmt(sql.SELECT_LOG_SUMMARY).get({ id: params.id }) as
      { tenant: string; last_seq: number; lines: number } | undefined;
    if (summary === undefined || (params.tenant !== undefined && summary.tenant !== params.tenant))
      return null;
    const rows = db.stmt(sql.SELECT_LOG_LINES).all({
      id: params.id,
      after: params.afterSeq,
      attempt: params.attempt ?? null,
      limit: params.limit + 1,
    }) as LineRow[];
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
  });
}
