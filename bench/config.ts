/**
 * Sizes and durations of a benchmark run: the full run (medians of 3, about 4 minutes on 2 cores)
 * and the `--quick` smoke run.
 */

/** Sizes and durations of one benchmark run. */
export interface BenchConfig {
  /** A `--quick` smoke run (tiny sizes, one run each). */
  quick: boolean;
  /** Runs of each throughput scenario; the median is reported. */
  runs: number;
  /** Jobs per bulk-enqueue and processing run. */
  throughputJobs: number;
  /** Jobs per bulk call. */
  chunkSize: number;
  /** Length of each single-enqueue run, ms. */
  singleDurationMs: number;
  /** Handlers running at once in every worker. */
  concurrency: number;
  /** Pickup-latency samples (a system may ask for fewer), after `latencyWarmup` discarded ones. */
  latencySamples: number;
  latencyWarmup: number;
  /** How long the idle cross-process worker's CPU is measured, ms. */
  idleCpuMs: number;
  /** Steady load: submissions per second, and for how long, ms. */
  steadyRate: number;
  steadyDurationMs: number;
  /** A steady run "kept up" if every job completed within this long of its schedule, ms. */
  steadyGraceMs: number;
  /** HTTP load (autocannon): open connections, measured length and discarded warm-up, ms. */
  httpConnections: number;
  httpDurationMs: number;
  httpWarmupMs: number;
  /** Existing jobs whose ids `GET /jobs/:id` cycles through. */
  httpGetJobs: number;
  /** HTTP end-to-end samples (sequential), after `httpE2eWarmup` discarded ones. */
  httpE2eSamples: number;
  httpE2eWarmup: number;
  /** Claim cost: waiting jobs of an unserved type ahead, and timed claim calls per setting. */
  claimBacklog: number;
  claimSamples: number;
  /** Churn scenario: jobs through the store before each measurement (`--churn-steps`). */
  churnSteps: number[];
}

/** Full and `--quick` configurations. */
export function benchConfig(quick: boolean): BenchConfig {
  return quick
    ? {
        quick,
        runs: 1,
        throughputJobs: 1_000,
        chunkSize: 1_000,
        singleDurationMs: 300,
        concurrency: 50,
        latencySamples: 20,
        latencyWarmup: 3,
        idleCpuMs: 1_000,
        steadyRate: 1_000,
        steadyDurationMs: 500,
        steadyGraceMs: 1_000,
        httpConnections: 50,
        httpDurationMs: 1_000,
        httpWarmupMs: 300,
        httpGetJobs: 100,
        httpE2eSamples: 20,
        httpE2eWarmup: 3,
        claimBacklog: 5_000,
        claimSamples: 50,
        churnSteps: [2_000],
      }
    : {
        quick,
        runs: 3,
        throughputJobs: 20_000,
        chunkSize: 1_000,
        singleDurationMs: 2_000,
        concurrency: 50,
        latencySamples: 200,
        latencyWarmup: 10,
        idleCpuMs: 5_000,
        steadyRate: 1_000,
        steadyDurationMs: 5_000,
        steadyGraceMs: 1_000,
        httpConnections: 50,
        httpDurationMs: 5_000,
        httpWarmupMs: 1_000,
        httpGetJobs: 500,
        httpE2eSamples: 200,
        httpE2eWarmup: 10,
        claimBacklog: 100_000,
        claimSamples: 500,
        churnSteps: [1_000_000, 3_000_000, 5_000_000],
      };
}
