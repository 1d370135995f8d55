/**
 * The worker's bookkeeping for one job it is running. The job's AbortController is created
 * only when the handler first reads `ctx.signal` (most no-op-ish handlers never do; creating
 * one per job measured ~5 % of a worker's CPU at high throughput). An abort before that is
 * remembered and the signal, once asked for, starts out aborted with the same reason.
 */
import type { ClaimedJob } from "../core/job.js";

/** Why a running job's signal was aborted. */
export type AbortCause = "timeout" | "cancelled" | "lease_lost" | "shutdown";

/** One job in flight in this worker. */
export interface ActiveJob {
  job: ClaimedJob;
  /** Set once the job is aborted; the first cause wins. */
  abortCause: AbortCause | undefined;
  /** The reason given with the abort (becomes `signal.reason`). */
  abortReason: Error | undefined;
  /** Created on first use of the job's signal. */
  controller: AbortController | undefined;
  /** Called once, when the job is aborted. */
  abortListeners: (() => void)[] | undefined;
  /** Progress not yet written to the store. */
  pendingProgress: { progress: number; message: string | null } | undefined;
  /** Resolvers of `ctx.progress()` calls waiting for the next write. */
  progressWaiters: (() => void)[];
  /** How long the job waited in the prefetch buffer after its claim, ms (its timeout runs from the claim). */
  heldMs: number;
}

/** Creates the bookkeeping entry for a claimed job. */
export function createActiveJob(job: ClaimedJob, heldMs = 0): ActiveJob {
  return {
    job,
    abortCause: undefined,
    abortReason: undefined,
    controller: undefined,
    abortListeners: undefined,
    pendingProgress: undefined,
    progressWaiters: [],
    heldMs,
  };
}

/** The job's AbortSignal (created on first use; already aborted if the job was). */
export function signalOf(active: ActiveJob): AbortSignal {
  if (active.controller === undefined) {
    active.controller = new AbortController();
    if (active.abortCause !== undefined) active.controller.abort(active.abortReason);
  }
  return active.controller.signal;
}

/** Calls `listener` when the job is aborted (at once if it already was). */
export function onAbort(active: ActiveJob, listener: () => void): void {
  if (active.abortCause !== undefined) listener();
  else (active.abortListeners ??= []).push(listener);
}

/** Aborts the job with `reason`, recording `cause`; later aborts are ignored. */
export function abortActiveJob(active: ActiveJob, cause: AbortCause, reason: Error): void {
  if (active.abortCause !== undefined) return;
  active.abortCause = cause;
  active.abortReason = reason;
  active.controller?.abort(reason);
  const listeners = active.abortListeners ?? [];
  active.abortListeners = undefined;
  for (const listener of listeners) listener();
}
