/**
 * Runs one claimed job: resolve handler → start timeout → run with an AbortSignal → classify
 * the outcome → record it (completions through the batching completer, failures directly).
 * An aborted job (timeout, cancel, lost lease, shutdown) gets `abortGraceMs` to stop; its
 * outcome is then decided by the abort cause, whatever the handler returns later.
 */
import type { Clock } from "../core/clock.js";
import {
  JobCancelledError,
  JobTimeoutError,
  LeaseLostError,
  UnrecoverableError,
} from "../core/errors.js";
import { abortWaitMs, type ClaimedJob, type JobErrorEntry } from "../core/job.js";
import type { Logger } from "../core/logger.js";
import { validateLogCall } from "../core/job-logs.js";
import { encodeResult, validateProgress } from "../core/options.js";
import { describeError, nextOnFailure } from "../core/transitions.js";
import type { Store } from "../store/store.js";
import {
  abortActiveJob,
  onAbort,
  signalOf,
  type AbortCause,
  type ActiveJob,
} from "./active-job.js";
import type { Completer } from "./completer.js";
import type { HandlerMap, JobContext, JobHandler } from "./handler.js";
import type { LeaseKeeper } from "./lease-keeper.js";
import type { LogWriter } from "./log-writer.js";
import { ParentLoader } from "./parent-loader.js";
import type { ParentResult } from "../core/flows.js";
import {
  endAttemptSpan,
  recordError,
  startAttemptSpan,
  startSettleSpan,
  traceSettle,
} from "./tracing.js";
import { context, type Context, type Span } from "@opentelemetry/api";

/** What the executor needs from its worker. */
export interface ExecutorOptions {
  abortGraceMs: number;
  clock: Clock;
  completer: Completer;
  handlers: HandlerMap;
  leaseKeeper: LeaseKeeper;
  logger: Logger;
  logWriter: LogWriter;
  maxResultBytes: number;
  random: () => number;
  store: Store;
  workerId: string;
}

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

/** The parents of a job that has none (shared: a handler gets a frozen empty list). */
const NO_PARENTS: readonly ParentResult[] = Object.freeze([]);

/** Runs jobs; one instance per worker. */
export class Executor {
  private readonly parents: ParentLoader;
  /** The context of each running attempt's span (the parent of its `settle` span). */
  private readonly traces = new WeakMap<ActiveJob, Context>();

  constructor(private readonly options: ExecutorOptions) {
    this.parents = new ParentLoader(options.store);
  }

  /** Runs `active` to its end; never rejects. */
  async run(active: ActiveJob): Promise<void> {
    const { job } = active;
    const { handlers } = this.options;
    // Claims name exactly this worker's handler types (SPEC §6), and the map is a copy made when
    // the worker was, so a miss means a store that ignored `types`: give the job back (attempt
    // not counted) rather than fail it. Own keys only: a type named "toString" is no handler.
    const handler = Object.hasOwn(handlers, job.type) ? handlers[job.type] : undefined;
    if (handler === undefined) {
      await this.giveBack(job);
      return;
    }
    // Whole milliseconds: Node keeps one timer list per distinct duration, and a fractional one
    // (the time held in the prefetch buffer) made a list for every job.
    const timer = setTimeout(
      () => abortActiveJob(active, "timeout", new JobTimeoutError(job.timeout)),
      Math.max(0, Math.ceil(job.timeout - active.heldMs)),
    );
    // The handler runs inside the attempt's span (a child of the job's trace), so its own spans
    // nest under it; recording the outcome is a `settle` span under it (worker/tracing.ts).
    const attempt = startAttemptSpan(job, this.options.workerId);
    if (attempt.span !== undefined) this.traces.set(active, attempt.context);
    try {
      const settled = await this.settle(active, this.start(active, handler, attempt.context));
      if (attempt.span !== undefined) {
        endAttemptSpan(attempt.span, settled, active.abortCause, active.abortReason);
      }
      await this.finish(active, settled);
    } catch (error) {
      this.options.logger.error(
        { err: error, jobId: job.id },
        "recording the job's outcome failed",
      );
    } finally {
      clearTimeout(timer);
      this.traces.delete(active);
    }
  }

  /**
   * Calls the handler (in the attempt's trace context, when tracing is on) with the parents'
   * results once loaded. A failed read of the parents fails the attempt like a handler error (it
   * is retried); a handler that throws synchronously fails like an async one.
   */
  private start(active: ActiveJob, handler: JobHandler, trace: Context | undefined): unknown {
    const { job } = active;
    const call = (parents: readonly ParentResult[]) =>
      trace === undefined
        ? handler(job, this.context(active, parents))
        : context.with(trace, () => handler(job, this.context(active, parents)));
    if (job.hasParents !== false) return this.parents.load(job.id).then(call);
    try {
      return call(NO_PARENTS);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Waits for the handler, or for the abort grace to pass once the job is aborted. */
  private async settle(active: ActiveJob, result: unknown): Promise<Settled | undefined> {
    // The wait ends before the lease can (abortWaitMs), so the outcome is recorded under it.
    const settled = await new Promise<Settled | undefined>((resolve) => {
      Promise.resolve(result).then(
        (value) => resolve({ ok: true, value }),
        (error: unknown) => resolve({ ok: false, error }),
      );
      onAbort(active, () => {
        const waitMs = abortWaitMs(active.job, this.options.abortGraceMs, this.options.clock.now());
        setTimeout(() => resolve(undefined), waitMs).unref();
      });
    });
    if (settled === undefined) {
      this.options.logger.warn(
        { jobId: active.job.id, cause: active.abortCause, graceMs: this.options.abortGraceMs },
        "handler did not stop after its signal was aborted; abandoning it",
      );
    }
    return settled;
  }

  private context(active: ActiveJob, parents: readonly ParentResult[]): JobContext {
    const { job } = active;
    const { leaseKeeper, logger, logWriter, workerId } = this.options;
    return {
      parents,
      get signal() {
        return signalOf(active);
      },
      attempt: job.attempt,
      workerId,
      logger,
      progress: (percent, message) => {
        const { progress, message: text } = validateProgress(percent, message);
        if (active.abortCause !== undefined) return Promise.resolve();
        job.progress = progress;
        job.progressMessage = text;
        return leaseKeeper.reportProgress(active, progress, text);
      },
      log: (message, options) => {
        const line = validateLogCall(message, options);
        if (active.abortCause !== "lease_lost") logWriter.add(job, line);
      },
    };
  }

  private async finish(active: ActiveJob, settled: Settled | undefined): Promise<void> {
    // The attempt's last lines are written while its lease still fences them.
    await this.options.logWriter.flushJob(active.job.id);
    const cause = active.abortCause;
    if (cause !== undefined) {
      await this.finishAborted(active, cause);
      return;
    }
    if (settled === undefined) return;
    if (!settled.ok) {
      const retryable = !isUnrecoverable(settled.error);
      await this.recordFailure(active, describeError(settled.error), retryable);
      return;
    }
    let resultJson: string | null;
    try {
      resultJson = encodeResult(settled.value, this.options.maxResultBytes);
    } catch (error) {
      await this.recordFailure(active, { ...describeError(error), type: "InvalidResult" }, false);
      return;
    }
    // The slot is freed as soon as the handler has returned: the acknowledgement is batched with
    // others' and written in the background (the lease still fences it; its `job.completed`
    // event is logged by the same commit, and `worker.stop()` drains what is pending). A crash
    // before the commit re-runs the job — at-least-once, never lost.
    const { job } = active;
    const settle = startSettleSpan(job, "complete", this.traceOf(active));
    void this.options.completer
      .complete({ id: job.id, leaseToken: job.leaseToken, resultJson })
      .then(
        (outcome) => this.afterCompletion(job, settle, outcome.ok, undefined),
        (error: unknown) => this.afterCompletion(job, settle, undefined, error),
      );
  }

  /**
   * Ends a background completion's span and reports a lost lease or a failed write. Nothing
   * awaits it, so it never throws: a tracing SDK's or a logger's error is logged instead of
   * becoming an unhandled rejection.
   */
  private afterCompletion(
    job: ClaimedJob,
    settle: Span | undefined,
    recorded: boolean | undefined,
    error: unknown,
  ): void {
    try {
      if (recorded === undefined) {
        if (settle !== undefined) recordError(settle, error);
        this.options.logger.error(
          { err: error, jobId: job.id },
          "recording a completion failed; the lease will expire and the job will run again",
        );
      }
      settle?.end();
      if (recorded === false) this.leaseLost(job);
    } catch (thrown) {
      this.options.logger.error({ err: thrown, jobId: job.id }, "after recording a completion");
    }
  }

  private async finishAborted(active: ActiveJob, cause: AbortCause): Promise<void> {
    switch (cause) {
      case "timeout":
        await this.recordFailure(
          active,
          describeError(new JobTimeoutError(active.job.timeout)),
          true,
        );
        return;
      case "cancelled":
        await this.recordFailure(active, describeError(new JobCancelledError()), false);
        return;
      case "lease_lost":
        this.leaseLost(active.job);
        return;
      case "shutdown":
        return; // the worker releases the lease
    }
  }

  /** Records a failed attempt (the store logs `job.retrying`, `job.failed` or `job.cancelled`). */
  private async recordFailure(
    active: ActiveJob,
    described: { message: string; type: string; stack?: string },
    retryable: boolean,
  ): Promise<void> {
    const { job } = active;
    const { clock, store } = this.options;
    const now = clock.now();
    const error: Omit<JobErrorEntry, "at"> = { ...described, attempt: job.attempt };
    const outcome = nextOnFailure(job, { retryable }, now, this.options.random);
    const [recorded] = await traceSettle(job, "fail", this.traceOf(active), () =>
      store.failJobs({
        failures: [{ id: job.id, leaseToken: job.leaseToken, error, outcome }],
        now,
      }),
    );
    if (recorded?.ok !== true) this.leaseLost(job);
  }

  /** Releases a job this worker cannot run; it stays claimable by workers that serve its type. */
  private async giveBack(job: ClaimedJob): Promise<void> {
    this.options.logger.error(
      { jobId: job.id, type: job.type, workerId: this.options.workerId },
      "claimed a job of a type this worker has no handler for; releasing it",
    );
    try {
      await this.options.store.releaseJobs({
        leases: [{ id: job.id, leaseToken: job.leaseToken }],
        now: this.options.clock.now(),
      });
    } catch (error) {
      this.options.logger.error({ err: error, jobId: job.id }, "releasing the job failed");
    }
  }

  private traceOf(active: ActiveJob): Context {
    return this.traces.get(active) ?? context.active();
  }

  private leaseLost(job: ClaimedJob): void {
    this.options.logger.warn(
      { jobId: job.id, attempt: job.attempt },
      "lease lost; the attempt's outcome is dropped",
    );
  }
}

/** True for `UnrecoverableError`, also from another copy of the library (checked by name). */
function isUnrecoverable(error: unknown): boolean {
  return (
    error instanceof UnrecoverableError ||
    (error instanceof Error && error.name === "UnrecoverableError")
  );
}

/** The reason given to a job's signal when its lease is lost. */
export function leaseLostReason(jobId: string): Error {
  return new LeaseLostError(jobId);
}
