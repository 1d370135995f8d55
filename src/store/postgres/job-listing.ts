/**
 * The text of a job listing on PostgreSQL: newest first (by id), `limit` rows, from index ranges
 * that each stop at `limit` rows, whatever the table holds.
 *
 * Every claim and completion writes a new row version, and each version takes an entry in every
 * index whose predicate it matches; on a deep-backlog drain that index upkeep was half of the
 * database's CPU (issue 15). So the listing has few indexes to read (migration 0019): three, all
 * led by the tenant and none holding running jobs — (tenant, status, id), (tenant, queue, id),
 * (tenant, type, id). A page merges branches, each an index range in id order:
 *
 * - running jobs (at most the workers' concurrency) come from jobs_running_idx, in a branch of
 *   their own;
 * - a tenant's other jobs of one queue or type: that index's range, states filtered;
 * - a tenant's other jobs otherwise: one range of (tenant, status, id) per state asked for (all
 *   of them when none is), merged — one state per branch, since a range over several states
 *   comes out of id order and would sort every job in them;
 * - an operator's listing (no tenant) with a status, queue or type: the same for each tenant,
 *   the tenants found by a loose index scan (one probe each), merged — a cost that grows with the
 *   number of tenants, not of jobs;
 * - no tenant and no status, queue or type: the primary key backwards; a tag, with or without
 *   other filters: one branch with every condition (jobs_tags_idx or the key, as the planner
 *   finds cheaper).
 *
 * Each range is ordered by its index's own columns, not by id alone: with `tenant = $1 AND
 * queue = $2 ORDER BY id` the planner may walk the primary key backwards and filter, betting
 * that matching rows are common — and for a combination with few or none (a tenant that never
 * used the queue) it walks the whole table (measured: 0.27 s a page at 1,000,000 jobs, against
 * 0.04 ms through the index). Only the named index gives the order of its own columns, so the
 * plan reads that range and stops at the page size.
 *
 * Values are never spliced in: each goes through `bind`, which returns its placeholder.
 */
import { JOB_STATES, type JobState } from "../../core/states.js";
import type { JobFilter } from "../store.js";

/** Binds a value to the statement, returning its placeholder (`$n`). */
export type Bind = (value: unknown) => string;

/** What a listing filters on, the cursor (an id to list below) and the rows wanted. */
export interface ListingRequest extends JobFilter {
  before?: string;
  limit: number;
}

/** The states the listing indexes hold. */
const INDEXED_STATES: readonly JobState[] = JOB_STATES.filter((state) => state !== "running");

/** `text` as a page: newest first, `n` rows. */
const ordered = (text: string, n: string): string => `${text} ORDER BY id DESC LIMIT ${n}`;

/** Pages merged into one (each already ordered and limited). */
function merged(pages: readonly string[], n: string): string {
  if (pages.length === 1) return pages[0]!;
  const parts = pages.map((page) => `(${page})`).join(" UNION ALL ");
  return `SELECT * FROM (${parts}) AS listed ORDER BY id DESC LIMIT ${n}`;
}

/** The SQL a listing is built from (sql/jobs.ts): LIST_JOBS and LISTING_TENANTS. */
export interface ListingSql {
  select: string;
  tenants: string;
}

/** The request's values as placeholders. */
interface Bound {
  tenant: string | undefined;
  queue: string | undefined;
  type: string | undefined;
  tag: string | undefined;
  before: string | undefined;
  n: string;
  /** The states to read other than running, and whether the request named states at all. */
  others: readonly JobState[];
  asked: readonly JobState[] | null;
}

/** The text of a listing. */
export function listingText(sql: ListingSql, request: ListingRequest, bind: Bind): string {
  const asked = request.status !== undefined && request.status.length > 0 ? request.status : null;
  const text = (value: string | undefined): string | undefined =>
    value !== undefined ? `${bind(value)}::text` : undefined;
  const bound: Bound = {
    n: `${bind(request.limit)}::int`,
    tenant: text(request.tenant),
    queue: text(request.queue),
    type: text(request.type),
    tag: text(request.tag),
    before: request.before !== undefined ? `${bind(request.before)}::uuid` : undefined,
    asked,
    others: (asked ?? INDEXED_STATES).filter((state) => state !== "running"),
  };
  const pages: string[] = [];
  if (bound.others.length > 0) pages.push(storedJobs(sql, bound, bind));
  if (asked === null || asked.includes("running")) {
    const where = [...equalities(bound, ["tenant", "queue", "type"]), ...tagAndCursor(bound)];
    pages.push(
      ordered(`${sql.select} WHERE ${[...where, `status = 'running'`].join(" AND ")}`, bound.n),
    );
  }
  return merged(pages, bound.n);
}

/** `column = placeholder` for each of `columns` the request filters on. */
function equalities(bound: Bound, columns: readonly ("tenant" | "queue" | "type")[]): string[] {
  return columns.flatMap((column) => {
    const value = bound[column];
    return value !== undefined ? [`${column} = ${value}`] : [];
  });
}

/** The tag and cursor conditions. */
function tagAndCursor(bound: Bound): string[] {
  return [
    // The second condition is implied by the first; it is spelled out so that the planner can
    // use jobs_tags_idx, which is partial on tagged rows.
    ...(bound.tag !== undefined ? [`tags @> ARRAY[${bound.tag}] AND tags <> '{}'`] : []),
    ...(bound.before !== undefined ? [`id < ${bound.before}`] : []),
  ];
}

/** The states asked for (when any), as one condition. */
function stateCondition(bound: Bound, bind: Bind): string[] {
  if (bound.asked === null) return [];
  if (bound.others.length === 1) return [`status = ${bind(bound.others[0])}::text`];
  return [`status = ANY(${bind(bound.others)}::text[])`];
}

/** A page of the jobs other than running ones (see the file's comment for the cases). */
function storedJobs(sql: ListingSql, bound: Bound, bind: Bind): string {
  const indexed =
    bound.tenant !== undefined ||
    bound.queue !== undefined ||
    bound.type !== undefined ||
    bound.asked !== null;
  if (bound.tag !== undefined || !indexed) {
    const where = [
      ...equalities(bound, ["tenant", "queue", "type"]),
      ...tagAndCursor(bound),
      `status <> 'running'`,
      ...stateCondition(bound, bind),
    ];
    return ordered(`${sql.select} WHERE ${where.join(" AND ")}`, bound.n);
  }
  const forTenant = (tenant: string): string => {
    if (bound.queue !== undefined || bound.type !== undefined) {
      const [column, value, rest] =
        bound.queue !== undefined
          ? (["queue", bound.queue, equalities(bound, ["type"])] as const)
          : (["type", bound.type!, []] as const);
      return indexRange(sql.select, bound, { tenant, column, value }, [
        ...rest,
        ...stateCondition(bound, bind),
      ]);
    }
    const pages = bound.others.map((state) =>
      indexRange(
        sql.select,
        bound,
        { tenant, column: "status", value: `${bind(state)}::text` },
        [],
      ),
    );
    return merged(pages, bound.n);
  };
  return bound.tenant !== undefined
    ? forTenant(bound.tenant)
    : perTenant(sql, forTenant("tenants.tenant"), bound.n);
}

/**
 * One listing index's range — the rows of (tenant, `column`) = (`tenant`, `value`) below the
 * cursor — newest first, in the index's own order (see the file's comment). The column is bound
 * from both sides rather than equated: equated to a constant, it would drop out of the ORDER BY,
 * which the primary key could then serve. The tenant stays in the ORDER BY for the loose scan,
 * where it is the outer row's value and not a constant to the planner.
 */
function indexRange(
  select: string,
  bound: Bound,
  key: { tenant: string; column: "status" | "queue" | "type"; value: string },
  filters: readonly string[],
): string {
  const where = [
    `tenant = ${key.tenant}`,
    `${key.column} >= ${key.value}`,
    `${key.column} <= ${key.value}`,
    ...(bound.before !== undefined ? [`id < ${bound.before}`] : []),
    ...filters,
    `status <> 'running'`,
  ];
  return `${select} WHERE ${where.join(" AND ")}
ORDER BY tenant DESC, ${key.column} DESC, id DESC LIMIT ${bound.n}`;
}

/**
 * A page over every tenant: `page` (which names `tenants.tenant`) for each tenant, merged. The
 * tenants come from a loose index scan (LISTING_TENANTS), since PostgreSQL 15 has no skip scan.
 */
function perTenant(sql: ListingSql, page: string, n: string): string {
  // Not for the scan's closing NULL, which matches nothing.
  return `${sql.tenants} SELECT per_tenant.* FROM tenants CROSS JOIN LATERAL (${page}) AS per_tenant
WHERE tenants.tenant IS NOT NULL ORDER BY per_tenant.id DESC LIMIT ${n}`;
}
