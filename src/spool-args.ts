/**
 * What `Spool` methods do before they reach the store (split from spool.ts): argument checks
 * (job ids, tenants, list filters) and the submission of validated jobs.
 */
import { SpoolValidationError } from "./core/errors.js";
import { isUuid, uuidv7 } from "./core/ids.js";
import type { z } from "zod";
import type { EnqueueRequest, JobInput } from "./core/options.js";
import { toValidationError } from "./core/schema-errors.js";
import { resolveTierPolicy } from "./core/tiers.js";
import { openStore, resolveStoreUrl } from "./store/open-store.js";
import {
  assertInteger,
  assertJobType,
  assertQueueName,
  assertTenant,
  validateEnqueue,
} from "./core/options.js";
import { validateQueuePatch } from "./core/queue-settings.js";
import { parseStatusList } from "./core/states.js";
import type { TierPolicy } from "./core/tiers.js";
import {
  pickTierOptions,
  spoolOptionsSchema,
  type EnqueuedJob,
  type ListOptions,
  type SpoolOptions,
  type Stats,
  type TransactionOption,
} from "./spool-options.js";
import type { BatchInput } from "./store/flow-types.js";
import type { JobFilter, QueueConfig, QueuePatch, Store } from "./store/store.js";
import { traceSubmit } from "./worker/tracing.js";

/** Inserts validated jobs, plain or as a flow (dependencies, a batch); see `Spool.submit`. */
export async function submitJobs(
  at: { store: Store; tiers: TierPolicy; now: number },
  inputs: readonly JobInput[],
  options: TransactionOption & { batch?: BatchInput },
): Promise<EnqueuedJob[]> {
  const { store, tiers, now } = at;
  if (options.client !== undefined && !store.capabilities.transactionalEnqueue) {
    throw new SpoolValidationError(
      "client",
      "this store cannot enqueue inside the caller's transaction",
    );
  }
  // Dependencies and batches take their own store call (core/flows.ts); plain jobs keep theirs.
  const flow = options.batch !== undefined || inputs.some((input) => input.dependsOn);
  if (flow && options.client !== undefined)
    throw new SpoolValidationError("client", "cannot be combined with dependsOn or a batch");
  const outcomes = await traceSubmit(inputs, () =>
    flow
      ? store.enqueueFlow({ jobs: inputs, batch: options.batch ?? null, now, tiers })
      : store.enqueueJobs({
          jobs: inputs,
          now,
          tiers,
          ...(options.client === undefined ? {} : { client: options.client }),
        }),
  );
  return outcomes.map(({ job, duplicate }) => Object.assign(job, { duplicate }));
}

/** Parses `Spool.open` options, opens the store and migrates it (unless `migrate: false`). */
export async function openParts(options: SpoolOptions): Promise<{
  store: Store;
  resolved: z.output<typeof spoolOptionsSchema>;
  tierPolicy: TierPolicy;
}> {
  const parsed = spoolOptionsSchema.safeParse(options);
  if (!parsed.success) throw toValidationError(parsed.error);
  const resolved = parsed.data;
  const tierPolicy = resolveTierPolicy(pickTierOptions(resolved));
  const store =
    resolved.store ?? (await openStore(resolveStoreUrl(resolved.url), resolved.storeTuning ?? {}));
  try {
    if (resolved.migrate) await store.migrate();
  } catch (error) {
    if (resolved.store === undefined) await store.close();
    throw error;
  }
  return { store, resolved, tierPolicy };
}

/** Validates one submission (`Spool.validate`): its id is a UUIDv7 of `at.now`. */
export function validateOne(
  type: unknown,
  payload: unknown,
  options: unknown,
  prefix: string,
  at: { now: number; maxPayloadBytes: number },
): JobInput {
  return validateEnqueue(type, payload, options, {
    id: uuidv7(at.now),
    now: at.now,
    limits: { maxPayloadBytes: at.maxPayloadBytes },
    prefix,
  });
}

/** `Spool.updateQueue`: checks the name and the patch, then applies it. */
export async function updateQueue(
  store: Store,
  queue: string,
  patch: QueuePatch,
  now: number,
): Promise<QueueConfig> {
  assertQueueName(queue);
  validateQueuePatch(patch);
  return store.updateQueue({ name: queue, patch, now });
}

/** Checks `spool.enqueueMany` requests, validating each with `validate` (its field prefix). */
export function validateRequests(
  requests: readonly EnqueueRequest[],
  validate: (type: unknown, payload: unknown, options: unknown, prefix: string) => JobInput,
): JobInput[] {
  if (!Array.isArray(requests)) throw new SpoolValidationError("jobs", "must be an array");
  return requests.map((request, i) => {
    if (typeof request !== "object" || request === null)
      throw new SpoolValidationError(`jobs[${i}]`, "must be an object");
    const { type, payload, ...rest } = request;
    return validate(type, payload, rest, `jobs[${i}].`);
  });
}

/** `spool.stats`: counts by state (everything, or one queue / tenant) and the queue size. */
export async function readStats(
  store: Store,
  options: { queue?: string; tenant?: string },
): Promise<Stats> {
  if (options.queue !== undefined) assertQueueName(options.queue);
  if (options.tenant !== undefined) assertTenant(options.tenant);
  const counts = await store.countJobsByState(pick(options, ["queue", "tenant"]));
  const totalJobs = Object.values(counts).reduce((sum, n) => sum + n, 0);
  return { totalJobs, ...counts, queueSize: counts.scheduled + counts.queued + counts.retrying };
}

/** Checks `spool.list` options and turns them into the store's filter. */
export function listParams(options: ListOptions): JobFilter & { limit: number; cursor?: string } {
  const limit = options.limit ?? 50;
  assertInteger(limit, "limit", 1, 1000);
  if (options.queue !== undefined) assertQueueName(options.queue);
  if (options.type !== undefined) assertJobType(options.type);
  if (options.tenant !== undefined) assertTenant(options.tenant);
  if (options.tag !== undefined && (typeof options.tag !== "string" || options.tag.length === 0)) {
    throw new SpoolValidationError("tag", "must be a non-empty string");
  }
  if (options.cursor !== undefined && typeof options.cursor !== "string") {
    throw new SpoolValidationError("cursor", "must be a string");
  }
  const status = parseStatusList(options.status);
  return {
    limit,
    ...(status === undefined ? {} : { status }),
    ...pick(options, ["queue", "type", "tag", "tenant", "cursor"]),
  };
}

/** Checks a job id and returns it in canonical (lower-case) form, as ids are stored. */
export function jobIdOf(id: unknown): string {
  if (!isUuid(id)) throw new SpoolValidationError("id", "must be a job id (a UUID)");
  return id.toLowerCase();
}

export function tenantOf(options: { tenant?: string }): { tenant?: string } {
  if (options.tenant === undefined) return {};
  assertTenant(options.tenant);
  return { tenant: options.tenant };
}

export function pick<T extends object, K extends keyof T>(
  source: T,
  keys: readonly K[],
): { [P in K]?: Exclude<T[P], undefined> } {
  const out: { [P in K]?: Exclude<T[P], undefined> } = {};
  for (const key of keys) {
    if (source[key] !== undefined) out[key] = source[key] as Exclude<T[K], undefined>;
  }
  return out;
}
