/**
 * Read-side queries with optional filters: `listJobs` and `countJobsByState`. Their WHERE clauses
 * are assembled from an allow-list of fixed fragments, each with its own `$n` placeholder — never
 * from caller text — and each shape runs as a named statement (there are few shapes), so it is
 * prepared once per connection.
 */
import { createHash } from "node:crypto";
import type { JobRecord } from "../../core/job.js";
import { JOB_STATES } from "../../core/states.js";
import type { JobFilter, StateCounts } from "../store.js";
import { decodeCursor, encodeCursor } from "../shared/page-cursor.js";
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

  /** The next placeholder, for a value that follows the WHERE clause. */
  next(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
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
  const where = new Conditions();
  if (params.tenant !== undefined) where.add(params.tenant, (p) => `tenant = ${p}`);
  if (params.queue !== undefined) where.add(params.queue, (p) => `queue = ${p}`);
  if (params.type !== undefined) where.add(params.type, (p) => `type = ${p}`);
  if (params.tag !== undefined)
    // The second condition is implied by the first; it is spelled out so that the planner can
    // use jobs_tags_idx, which is partial on tagged rows.
    where.add(params.tag, (p) => `tags @> ARRAY[${p}::text] AND tags <> '{}'`);
  if (params.cursor !== undefined) where.add(decodeCursor(params.cursor), (p) => `id < ${p}::uuid`);
  const text = listText(statements.LIST_JOBS.text, where, params.status, params.limit + 1);
  const result = await runStatement<JobRow>(on, shaped(text), where.values);
  const more = result.rows.length > params.limit;
  const page = more ? result.rows.slice(0, params.limit) : result.rows;
  return {
    jobs: page.map(rowToJob),
    nextCursor: more ? encodeCursor(page[page.length - 1]!.id) : null,
  };
}

/**
 * The listing's text. The listing indexes hold no running jobs (migration 0017: a claim would
 * otherwise add an entry to each), so the running jobs — at most the workers' concurrency — come
 * from jobs_running_idx in a branch of their own, merged in id order, and the other states'
 * branch says `status <> 'running'` so that the planner can use the partial indexes.
 */
function listText(
  select: string,
  where: Conditions,
  status: JobFilter["status"],
  limit: number,
): string {
  const states = status !== undefined && status.length > 0 ? status : undefined;
  const others = states?.filter((state) => state !== "running");
  const common = where.fragments;
  const branches: string[] = [];
  if (others === undefined || others.length > 0) {
    const fragments = [...common, `status <> 'running'`];
    // One state as `=`, not `= ANY`: an index scan with an array condition on its leading
    // column returns rows out of id order, so a page would sort every job in that state.
    if (others?.length === 1) fragments.push(`status = ${where.next(others[0])}::text`);
    else if (others !== undefined) fragments.push(`status = ANY(${where.next(others)}::text[])`);
    branches.push(`${select} WHERE ${fragments.join(" AND ")}`);
  }
  if (states === undefined || states.includes("running")) {
    branches.push(`${select} WHERE ${[...common, `status = 'running'`].join(" AND ")}`);
  }
  const n = `${where.next(limit)}::int`;
  if (branches.length === 1) return `${branches[0]} ORDER BY id DESC LIMIT ${n}`;
  const parts = branches.map((branch) => `(${branch} ORDER BY id DESC LIMIT ${n})`);
  return `SELECT * FROM (${parts.join(" UNION ALL ")}) AS listed ORDER BY id DESC LIMIT ${n}`;
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
