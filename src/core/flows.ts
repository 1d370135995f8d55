/**
 * Dependencies between jobs ("flows") and batches (SPEC §8), the pure part: how a submission
 * names its parents, the checks that make cycles impossible, and how a held job looks.
 *
 * A job with `dependsOn` names its parents either by id (jobs that exist already, of the same
 * tenant) or, inside one `enqueueMany` / `POST /jobs/batch`, by the index of an EARLIER item:
 * `"$0"` is the call's first job. A parent must exist before its child, so no cycle can ever be
 * built. While any parent is unfinished the child is held: `scheduled` with `runAt` =
 * `DEPENDENCY_HOLD_RUN_AT`, which no claim and no promoter ever reaches, so the hot paths do not
 * change at all. docs/design.md "Dependencies and batches" explains the choices.
 */
import { SpoolValidationError } from "./errors.js";
import type { JobRecord } from "./job.js";
import type { JsonValue } from "./json.js";
import type { JobState } from "./states.js";

/** The runAt of a job held until its parents are final: 9999-12-31T23:59:59.000Z. */
export const DEPENDENCY_HOLD_RUN_AT = Date.UTC(9999, 11, 31, 23, 59, 59);

/** Most parents one job may name. */
export const MAX_DEPENDS_ON = 1_000;

/** The `error.type` of a job cancelled because a parent failed or was cancelled. */
export const DEPENDENCY_FAILED = "DependencyFailed";

/** A parent: an existing job's id, or the index of an earlier job of the same call. */
export type DependencyRef = { id: string } | { index: number };

/** A parent's outcome as a handler sees it (`ctx.parents`, `parent_results`). */
export interface ParentResult {
  id: string;
  type: string;
  status: JobState;
  result: JsonValue | null;
}

const INDEX_RE = /^\$(\d{1,4})$/;
/** A UUID in text form (core/ids.ts is not imported: the dashboard bundles this module). */
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Parses `dependsOn`: a list of job ids or `"$N"` references to earlier jobs of the same call.
 * Repeated parents are kept once (first position).
 */
export function parseDependsOn(value: unknown, field: string): DependencyRef[] {
  if (!Array.isArray(value)) throw new SpoolValidationError(field, "must be an array of job ids");
  if (value.length > MAX_DEPENDS_ON) {
    throw new SpoolValidationError(field, `must name at most ${MAX_DEPENDS_ON} jobs`);
  }
  const seen = new Set<string>();
  const refs: DependencyRef[] = [];
  value.forEach((item, i) => {
    const index = typeof item === "string" ? INDEX_RE.exec(item) : null;
    let ref: DependencyRef;
    if (index !== null) ref = { index: Number(index[1]) };
    else if (typeof item === "string" && UUID_RE.test(item)) ref = { id: item.toLowerCase() };
    else {
      throw new SpoolValidationError(
        `${field}[${i}]`,
        'must be a job id (UUID) or "$N", the index of an earlier job of the same batch',
      );
    }
    const key = "id" in ref ? ref.id : `$${ref.index}`;
    if (!seen.has(key)) {
      seen.add(key);
      refs.push(ref);
    }
  });
  return refs;
}

/** What the flow checks need of a submission. */
export interface FlowInput {
  tenant: string;
  dependsOn?: readonly DependencyRef[];
  /** Field name of `dependsOn` in errors (`jobs[3].depends_on` over HTTP). */
  dependsOnField?: string;
}

/**
 * Checks the index references of one call: each must name an earlier job (never itself or a
 * later one, which is what makes cycles impossible) of the same tenant. Throws
 * `SpoolValidationError` naming `…dependsOn[k]`.
 */
export function checkDependencyIndexes(jobs: readonly FlowInput[]): void {
  jobs.forEach((job, i) => {
    job.dependsOn?.forEach((ref, k) => {
      if (!("index" in ref)) return;
      const field = `${job.dependsOnField ?? "dependsOn"}[${k}]`;
      if (ref.index >= i) {
        throw new SpoolValidationError(field, "must refer to an earlier job of the same batch");
      }
      if (jobs[ref.index]!.tenant !== job.tenant) {
        throw new SpoolValidationError(field, "is not a known job");
      }
    });
  });
}

/**
 * Whether a job waits for parents: any index reference (a job of the same call, not completed
 * yet), or an id parent that is not completed. Throws for an unknown id or another tenant's job
 * — with the same message, so the answer never tells that such a job exists. `parents` are the
 * rows the store found for the call's id references.
 */
export function holdsForParents(
  job: FlowInput,
  parents: ReadonlyMap<string, { tenant: string; status: JobState }>,
): boolean {
  let held = false;
  job.dependsOn?.forEach((ref, k) => {
    if (!("id" in ref)) {
      held = true;
      return;
    }
    const parent = parents.get(ref.id);
    if (parent === undefined || parent.tenant !== job.tenant) {
      throw new SpoolValidationError(
        `${job.dependsOnField ?? "dependsOn"}[${k}]`,
        "is not a known job",
      );
    }
    if (parent.status !== "completed") held = true;
  });
  return held;
}

/** True for a job held until its parents are final. */
export function isHeldForDependencies(job: Pick<JobRecord, "status" | "runAt">): boolean {
  return job.status === "scheduled" && job.runAt.getTime() === DEPENDENCY_HOLD_RUN_AT;
}

/** The waiting-reason sentence of a held job. */
export function dependencyWaitMessage(waitingOn: number, total: number): string {
  return `waiting on ${waitingOn} of ${total} job${total === 1 ? "" : "s"} it depends on`;
}

/** The error recorded on a job cancelled because `parentId` did not complete. */
export function dependencyFailedError(parentId: string): {
  message: string;
  type: string;
  attempt: number;
} {
  return {
    message: `job ${parentId}, which this job depends on, ended failed or cancelled (or no longer exists)`,
    type: DEPENDENCY_FAILED,
    attempt: 0,
  };
}

/** Counts of a batch's jobs by state. */
export type BatchCounts = Record<JobState, number>;

/** A batch as `getBatch` reports it. */
export interface BatchRecord {
  id: string;
  tenant: string;
  /** Jobs submitted in the batch. */
  total: number;
  counts: BatchCounts;
  /** Jobs that are final (completed, failed or cancelled; pruned ones count as final). */
  finished: number;
  /** Share of final jobs in percent, 0–100, rounded down (100 only once all are final). */
  progress: number;
  createdAt: Date;
  /** When the resolver saw every job final (and enqueued `onComplete`); null before. */
  finishedAt: Date | null;
  /** The job enqueued when the batch finished; null without `onComplete` or before. */
  onCompleteJobId: string | null;
}

/** Percent of final jobs, rounded down. */
export function batchProgress(finished: number, total: number): number {
  return total === 0 ? 100 : Math.floor((finished * 100) / total);
}
