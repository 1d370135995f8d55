/**
 * The library's batch calls (SPEC §8 "Batches"): `spool.batch(jobs, { onComplete })` submits
 * jobs as one batch, all or nothing, and `onComplete` is validated now and enqueued by the
 * maintenance leader once every job of the batch is final (maintenance/flow-resolver.ts).
 * Dependencies need nothing here: `dependsOn` is an ordinary option of `enqueue`/`enqueueMany`.
 */
import { SpoolValidationError } from "./core/errors.js";
import { isUuid, uuidv7 } from "./core/ids.js";
import { isPlainObject } from "./core/json.js";
import type { EnqueueRequest, JobInput } from "./core/options.js";
import type { EnqueuedJob, TransactionOption } from "./spool-options.js";
import type { BatchInput } from "./store/flow-types.js";

/** Options of `spool.batch`. */
export interface BatchOptions {
  /** Enqueued once, when every job of the batch is final (its tenant is the batch's). */
  onComplete?: EnqueueRequest;
}

/** What `spool.batch` returns. */
export interface SubmittedBatch {
  batchId: string;
  jobs: EnqueuedJob[];
}

/** The part of `Spool` a batch submission uses. */
export interface BatchSubmitter {
  validate(type: unknown, payload: unknown, options: unknown, prefix: string): JobInput;
  submit(
    inputs: readonly JobInput[],
    options?: TransactionOption & { batch?: BatchInput },
  ): Promise<EnqueuedJob[]>;
}

/** Validates and submits a batch (see the module header). */
export async function submitBatch(
  spool: BatchSubmitter,
  requests: readonly EnqueueRequest[],
  options: BatchOptions,
  now: number,
): Promise<SubmittedBatch> {
  if (!Array.isArray(requests) || requests.length === 0)
    throw new SpoolValidationError("jobs", "must be a non-empty array");
  if (!isPlainObject(options)) throw new SpoolValidationError("options", "must be an object");
  const inputs = requests.map((request, i) => {
    if (!isPlainObject(request)) throw new SpoolValidationError(`jobs[${i}]`, "must be an object");
    const { type, payload, ...rest } = request as Record<string, unknown>;
    return spool.validate(type, payload, rest, `jobs[${i}].`);
  });
  const tenant = inputs[0]!.tenant;
  let onComplete: JobInput | null = null;
  if (options.onComplete !== undefined) {
    if (!isPlainObject(options.onComplete))
      throw new SpoolValidationError("onComplete", "must be an object {type, payload, …}");
    const { type, payload, ...rest } = options.onComplete;
    onComplete = spool.validate(type, payload, { ...rest, tenant }, "onComplete.");
  }
  const batch = newBatch(tenant, onComplete, now, "onComplete");
  const jobs = await spool.submit(inputs, { batch });
  return { batchId: batch.id, jobs };
}

/**
 * The batch a submission creates: a new id, its tenant, and `onComplete` without its id (made
 * when it is enqueued). `onComplete` may not depend on other jobs (`field` names it in errors).
 */
export function newBatch(
  tenant: string,
  onComplete: JobInput | null,
  now: number,
  field: string,
): BatchInput {
  if (onComplete?.dependsOn !== undefined)
    throw new SpoolValidationError(`${field}.dependsOn`, "is not allowed here");
  if (onComplete !== null && onComplete.tenant !== tenant)
    throw new SpoolValidationError(`${field}.tenant`, "must be the batch's tenant");
  let rest: Omit<JobInput, "id"> | null = null;
  if (onComplete !== null) {
    const { id: _id, ...fields } = onComplete;
    rest = fields;
  }
  return { id: uuidv7(now), tenant, onComplete: rest };
}

/** Checks a batch id and returns it in canonical (lower-case) form. */
export function batchIdOf(id: unknown): string {
  if (!isUuid(id)) throw new SpoolValidationError("id", "must be a batch id (a UUID)");
  return id.toLowerCase();
}
