/** The worker's bookkeeping for one job it is running. */
import type { ClaimedJob } from "../core/job.js";

/** Why a running job's signal was aborted. */
export type AbortCause = "timeout" | "cancelled" | "lease_lost" | "shutdown";

/** One job in flight in this worker. */
export interface ActiveJob {
  job: ClaimedJob;
  controller: AbortController;
  /** Set once the signal is aborted; the first cause wins. */
  abortCause: AbortCause | undefined;
  /** Resolves when the job was aborted (lets the executor stop waiting on a stuck handler). */
  aborted: Promise<AbortCause>;
  /** Progress not yet written to the store. */
  pendingProgress: { progress: number; message: string | null } | undefined;
  /** Resolvers of `ctx.progress()` calls waiting for the next write. */
  progressWaiters: (() => void)[];
}

/** Creates the bookkeeping entry for a claimed job. */
export function createActiveJob(job: ClaimedJob): ActiveJob {
  let markAborted!: (cause: AbortCause) => void;
  const aborted = new Promise<AbortCause>((resolve) => (markAborted = resolve));
  const controller = new AbortController();
  const active: ActiveJob = {
    job,
    controller,
    abortCause: undefined,
    aborted,
    pendingProgress: undefined,
    progressWaiters: [],
  };
  controller.signal.addEventListener("abort", () => markAborted(active.abortCause ?? "shutdown"), {
    once: true,
  });
  return active;
}

/** Aborts the job's signal with `reason`, recording `cause`; later aborts are ignored. */
export function abortActiveJob(active: ActiveJob, cause: AbortCause, reason: Error): void {
  if (active.abortCause !== undefined) return;
  active.abortCause = cause;
  active.controller.abort(reason);
}
