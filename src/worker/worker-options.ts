/**
 * A worker's options: what each means, their defaults and bounds, and the check that names the
 * first bad field.
 */
import { z } from "zod";
import { DEFAULT_ABORT_GRACE_MS } from "../core/job.js";
import {
  DEFAULT_LEASE_MS,
  DEFAULT_QUEUE,
  assertJobType,
  assertQueueName,
} from "../core/options.js";
import { toValidationError } from "../core/schema-errors.js";
import type { HandlerMap } from "./handler.js";

/** Options of a worker (durations in ms). */
export interface WorkerOptions {
  /**
   * How long an aborted handler gets to stop before it is abandoned. Default 5,000. The wait
   * always ends 2 s before the attempt's lease can (timeout + 7 s), whatever this says, so the
   * outcome is recorded before the job could be claimed again.
   */
  abortGraceMs?: number;
  /** Most jobs claimed in one call. Default: `concurrency`. */
  batchSize?: number;
  /** How often running jobs are checked for cancellation requests. Default 1,000. */
  cancelCheckIntervalMs?: number;
  /** Jobs run at once. Default 10. */
  concurrency?: number;
  /** Stop SIGTERM/SIGINT and stop gracefully (when the worker owns the process). Default false. */
  handleSignals?: boolean;
  /** Handlers by job type. */
  handlers: HandlerMap;
  /** Lease length; renewed every third of it. Default 30,000. */
  leaseMs?: number;
  /**
   * Name in the worker registry, stored exactly as given; a live worker with the same name makes
   * `start()` throw `SpoolConflictError`. `job.worker` shows the worker's id (the name plus a
   * random suffix). Default: a generated unique name, `worker-<host>-<pid>-<random>`.
   */
  name?: string;
  /** Backstop poll interval when no wake-up arrives. Default 1,000. */
  pollIntervalMs?: number;
  /**
   * Jobs claimed ahead of the free slots and held locally, so the next ones are at hand the
   * moment a slot frees (for short jobs, a claim's round trip then overlaps running jobs). A
   * held job is claimed (its attempt counts, its timeout runs from the claim) and waits at most
   * 1 s (or a third of the lease, if shorter) before it goes back to its queue. Default 0.
   */
  prefetch?: number;
  /** Queues, in precedence order. Default `["default"]`. */
  queues?: string[];
  /** Grace period for in-flight jobs on stop. Default 10,000. */
  shutdownGraceMs?: number;
}

const optionsSchema = z
  .object({
    abortGraceMs: z.number().int().min(0).default(DEFAULT_ABORT_GRACE_MS),
    batchSize: z.number().int().min(1).max(1_000).optional(),
    cancelCheckIntervalMs: z.number().int().min(10).default(1_000),
    concurrency: z.number().int().min(1).max(10_000).default(10),
    handleSignals: z.boolean().default(false),
    handlers: z.record(
      z.string(),
      z.custom<HandlerMap[string]>((v) => typeof v === "function", "must be a function"),
    ),
    leaseMs: z.number().int().min(100).max(86_400_000).default(DEFAULT_LEASE_MS),
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/)
      .optional(),
    pollIntervalMs: z.number().int().min(10).default(1_000),
    prefetch: z.number().int().min(0).max(10_000).default(0),
    queues: z.array(z.string()).min(1).default([DEFAULT_QUEUE]),
    shutdownGraceMs: z.number().int().min(0).default(10_000),
  })
  .strict();

/** Worker options with every default applied. */
export type ResolvedWorkerOptions = z.output<typeof optionsSchema> & { batchSize: number };

/** Resolves and checks worker options, naming the first bad field. */
export function resolveWorkerOptions(options: WorkerOptions): ResolvedWorkerOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw toValidationError(parsed.error);
  }
  parsed.data.queues.forEach((queue, i) => assertQueueName(queue, `queues[${i}]`));
  // Keys are the types the worker claims (SPEC §6); "*" or a malformed name would match no job.
  for (const type of Object.keys(parsed.data.handlers)) assertJobType(type, `handlers.${type}`);
  const { batchSize, concurrency, prefetch } = parsed.data;
  return { ...parsed.data, batchSize: batchSize ?? Math.min(1_000, concurrency + prefetch) };
}
