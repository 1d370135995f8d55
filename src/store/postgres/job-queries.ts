/**
 * Read-side queries with optional filters: `listJobs` (its text: job-listing.ts) and
 * `countJobsByState`. Their WHERE clauses are assembled from an allow-list of fixed fragments,
 * each with its own `$n` placeholder — never from caller text — and each shape runs as a named
 * statement (there are few shapes), so it is prepared once per connection.
 */
import { createHash } from "node:crypto";
import type { JobRecord } from "../../core/job.js";
import { JOB_STATES } from "../../core/states.js";
import type { JobFilter, StateCounts } from "../store.js";
import { decodeCursor, encodeCursor } from "../shared/page-cursor.js";
import { listingText } from "./job-listing.js";
import { rowToJob, type JobRow } from "./job-row.js";
import { runStatement, type Queryable, type Statements } from "./postgres-pool.js";

/** A WHERE clause under construction: fragments joined by AND, values in placeholder order. */
class Conditions {
  readonly fragments: string[] = [];
  readonly values: unknown[] = [];

  /** Adds `fragment(placeholder)` with its value. */
  add(value: unknown, fragment: (placeholder: string) => string): void {
    this.values.push(value);
    this.fragments.push(fragment(`$${this.values.length}`));
  }

  toString(): string {
    return this.fragments.length > 0 ? ` WHERE ${this.fragments.join(" AND ")}` : "";
  }
}

/** A named statement for ad-hoc text (named by its hash: one per shape). */
function shaped(text: string): { name: string; text: string } {
  return { name: `spool_${createHash("sha1").update(text).digest("hex").slice(0, 16)}`, text };
}

/** Jobs newest first (by id: UUIDv7 ids sort by time), `limit` per page, with an opaque cursor. */
export async function listJobs(
  on: Queryable,
  statements: Statements,
  params: JobFilter & { limit: number; cursor?: string },
): Promise<{ jobs: JobRecord[]; nextCursor: string | null }> {
  const values: unknown[] = [];
  const bind = (value: unknown): string => `$${values.push(value)}`;
  const { cursor, limit, ...filter } = params;
  const request = {
    ...filter,
    ...(cursor !== undefined ? { before: decodeCursor(cursor) } : {}),
    limit: limit + 1,
  };
  const sql = { select: statements.LIST_JOBS.text, tenants: statements.LISTING_TENANTS.text };
  const result = await runStatement<JobRow>(on, shaped(listingText(sql, request, bind)), values);
  const more = result.rows.length > limit;
  const page = more ? result.rows.slice(0, limit) : result.rows;
  return {
    jobs: page.map(rowToJob),
    nextCursor: more ? encodeCursor(page[page.length - 1]!.id) : null,
  };
}

/** Counts of jobs in each state, for everything or one tenant / queue. */
export async function countJobsByState(
  on: Queryable,
  statements: Statements,
  params: { tenant?: string; queue?: string },
): Promise<StateCounts> {
  const where = new Conditions();
  if (params.tenant !== undefined) where.add(params.tenant, (p) => `tenant = ${p}`);
  if (params.queue !== undefined) where.add(params.queue, (p) => `queue = ${p}`);
  const text = `${statements.COUNT_BY_STATE.text}${where.toString()} GROUP BY status`;
  const result = await runStatement<{ status: string; n: number }>(on, shaped(text), where.values);
  const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as StateCounts;
  for (const row of result.rows) counts[row.status as keyof StateCounts] = row.n;
  return counts;
}
