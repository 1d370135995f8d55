/**
 * The steady-load measurement: jobs submitted one per call on a 1 ms timer at a fixed rate,
 * without waiting for earlier submissions, while a worker runs; latency is taken from each
 * job's *scheduled* submit time, so a submit path that falls behind counts against it.
 */
import type { BenchConfig } from "./config.js";
import type { JobTracker } from "./job-tracker.js";
import { summarizeLatency, type LatencySummary } from "./stats.js";
import type { SystemInstance } from "./systems/system.js";
import { BenchTimeoutError, errorMessage, withTimeout } from "./wait.js";

/** Latency and completion of a steady submission load. */
export interface SteadyMeasurement {
  kind: "steady";
  /** Scheduled submit time → completed, ms, over the jobs that completed. */
  latency: LatencySummary | null;
  submitted: number;
  completed: number;
  /** Submissions that threw, and the first error. */
  errors: number;
  firstError?: string;
  /** Every job completed, none more than `steadyGraceMs` after its scheduled submit time. */
  keptUp: boolean;
  /** Last completion after the end of the submission window, ms (null if some never did). */
  drainMs: number | null;
  /** Worst lateness of a submission call against its schedule, ms. */
  maxSubmitLagMs: number;
}

/**
 * Submits `config.steadyRate` jobs per second for `config.steadyDurationMs` to `instance`, whose
 * worker reports to `tracker`, and waits (bounded) for them to complete.
 */
export async function steadyLoad(
  instance: SystemInstance,
  tracker: JobTracker,
  config: BenchConfig,
): Promise<SteadyMeasurement> {
  const total = Math.round((config.steadyRate * config.steadyDurationMs) / 1000);
  const intervalMs = 1000 / config.steadyRate;
  const scheduledAt = new Float64Array(total);
  const baseline = tracker.completedCount;
  const calls: Promise<void>[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let maxSubmitLagMs = 0;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    let submitted = 0;
    const tick = (): void => {
      const now = performance.now();
      const due = Math.min(total, Math.floor((now - started) / intervalMs) + 1);
      for (; submitted < due; submitted += 1) {
        const i = submitted;
        scheduledAt[i] = started + i * intervalMs;
        maxSubmitLagMs = Math.max(maxSubmitLagMs, now - scheduledAt[i]!);
        calls.push(
          instance.enqueue({ i }).catch((error: unknown) => {
            errors += 1;
            firstError ??= errorMessage(error);
          }),
        );
      }
      if (submitted >= total) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, 1);
    tick();
  });
  const windowEnd = started + config.steadyDurationMs;
  const drainBudgetMs = config.steadyGraceMs + 15_000;
  try {
    await withTimeout(Promise.all(calls), drainBudgetMs, "the submissions to be acknowledged");
    await tracker.waitCompletedCount(
      baseline + total - errors,
      Math.max(1, windowEnd + drainBudgetMs - performance.now()),
    );
  } catch (error) {
    if (!(error instanceof BenchTimeoutError)) throw error;
  }
  const latencies: number[] = [];
  let lastCompletion = -Infinity;
  for (let i = 0; i < total; i += 1) {
    const completedAt = tracker.completedAt.get(i);
    if (completedAt === undefined) continue;
    latencies.push(completedAt - scheduledAt[i]!);
    lastCompletion = Math.max(lastCompletion, completedAt);
  }
  const completed = latencies.length;
  const drainMs = completed === total ? Math.max(0, lastCompletion - windowEnd) : null;
  const latency = completed > 0 ? summarizeLatency(latencies) : null;
  return {
    kind: "steady",
    latency,
    submitted: total,
    completed,
    errors,
    ...(firstError === undefined ? {} : { firstError }),
    keptUp: completed === total && latency !== null && latency.max <= config.steadyGraceMs,
    drainMs,
    maxSubmitLagMs,
  };
}
