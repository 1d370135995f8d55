/**
 * The benchmark scenarios. Each drives any `BenchSystem` through the same steps on a fresh
 * instance per run, so that every system is measured the same way; what exactly each one times
 * is written in its `method` text, which the report prints.
 */
import type { BenchConfig } from "./config.js";
import { JobTracker } from "./job-tracker.js";
import { median, summarizeLatency, type LatencySummary } from "./stats.js";
import { steadyLoad, type SteadyMeasurement } from "./steady-load.js";
import type { BenchPayload, BenchSystem, OpenOptions, SystemInstance } from "./systems/system.js";
import { sleep, withTimeout } from "./wait.js";

/** Jobs per second, median of several runs. */
export interface ThroughputMeasurement {
  kind: "throughput";
  jobsPerSecond: number;
  /** Every run's jobs/s, in run order. */
  runs: number[];
  /** Jobs per run (for duration-bounded runs, the median count). */
  jobs: number;
}

/** Pickup latency, ms. */
export interface LatencyMeasurement {
  kind: "latency";
  latency: LatencySummary;
  /**
   * The part after the submit call returned: its acknowledgement → handler start, ms (negative
   * when the handler started before the call returned). The rest is the submit's own commit.
   */
  afterAck: LatencySummary;
  /** Idle CPU of the worker process, % of one core (cross-process scenario only). */
  idleCpuPercent?: number;
}

/** An autocannon load on one HTTP route (bench/http.ts). */
export interface HttpLoadMeasurement {
  kind: "http-load";
  /** autocannon's mean of the per-second response counts over the measured window. */
  requestsPerSecond: number;
  /** Responses received in the measured window (every status). */
  requests: number;
  /** Length of the measured window, s. */
  durationS: number;
  /** Time from sending each request to its complete response, ms (every response). */
  latency: LatencySummary;
  /** Responses whose status was not 2xx, and how many of each status. */
  non2xx: number;
  non2xxByStatus: Record<string, number>;
  /** Connection errors and timeouts (autocannon's counts). */
  errors: number;
  timeouts: number;
  /** CPU the server process used during the window, % of one core. */
  serverCpuPercent: number;
  /** CPU the load generator (the benchmark process) used during the window, % of one core. */
  clientCpuPercent: number;
  connections: number;
}

/** `POST /jobs` → the SSE `job.completed` event, one job at a time (bench/http.ts). */
export interface HttpEndToEndMeasurement {
  kind: "http-e2e";
  /** From the start of `POST /jobs` to the arrival of `job.completed` on the job's SSE stream. */
  latency: LatencySummary;
  /** From the start of `POST /jobs` to its 202 answer. */
  submit: LatencySummary;
  /** Samples whose stream opened on a job already completed (its final event came first). */
  finalOnOpen: number;
}

/** One type-aware claim, behind a backlog of an unserved type vs on an empty queue (bench/claim-cost.ts). */
export interface ClaimCostMeasurement {
  kind: "claim-cost";
  /** Waiting jobs of the unserved type in the second setting. */
  backlog: number;
  /** Time per claim call, ms: only served jobs waiting. */
  empty: LatencySummary;
  /** Time per claim call, ms: `backlog` unserved jobs ahead of the served ones. */
  behind: LatencySummary;
  /** behind p50 ÷ empty p50. */
  ratio: number;
}

/** What one scenario measured for one system. */
export type Measurement =
  | ThroughputMeasurement
  | LatencyMeasurement
  | SteadyMeasurement
  | HttpLoadMeasurement
  | HttpEndToEndMeasurement
  | ClaimCostMeasurement;

/** Identifiers of the scenarios, in run order (the `http-*` ones live in bench/http.ts). */
export const SCENARIO_IDS = [
  "bulk",
  "single-1",
  "single-16",
  "process",
  "pickup",
  "pickup-cross",
  "steady",
  "http-post",
  "http-get",
  "http-e2e",
  "claim-unserved",
  "backlog-200k",
  "backlog-1m",
  "backlog-1m-followed",
  "churn",
] as const;

/** One of `SCENARIO_IDS`. */
export type ScenarioId = (typeof SCENARIO_IDS)[number];

/** What the orchestrator gives every scenario run. */
export interface ScenarioContext {
  /**
   * Called before each run opens its instance, to let the machine settle (the orchestrator
   * checkpoints PostgreSQL, so one run's dirty pages are not flushed during the next).
   */
  beforeRun(): Promise<void>;
  /** A progress line (long scenarios log their stretches as they go). */
  log?(line: string): void;
}

/** A benchmark scenario. */
export interface Scenario {
  id: ScenarioId;
  title: string;
  /** What is timed, for the report's method notes. */
  method(config: BenchConfig): string;
  /** Whether `system` can run it (otherwise the row says "not applicable"). */
  applies(system: BenchSystem): boolean;
  /** How many times to run it per system; runs of different systems are interleaved. */
  repetitions(config: BenchConfig): number;
  /** One run on a fresh instance. */
  run(system: BenchSystem, config: BenchConfig, context: ScenarioContext): Promise<Measurement>;
  /** Combines one system's runs into the reported measurement (the median, for throughput). */
  combine(runs: readonly Measurement[]): Measurement;
  /** Safety net over one run, ms (default: the orchestrator's). */
  timeoutMs?: number;
}

/** Longest a single step (one job, one stop) may take before the run fails, ms. */
const STEP_TIMEOUT_MS = 15_000;
/** Longest a processing run may take, ms. */
const PROCESS_TIMEOUT_MS = 120_000;
/** Longest opening or closing an instance may take, ms. */
const OPEN_CLOSE_TIMEOUT_MS = 60_000;
/** Quiet time before the idle worker's CPU is measured, ms. */
const IDLE_SETTLE_MS = 3_000;
/** Index of warm-up jobs, kept apart from measured ones. */
const WARMUP_BASE = 10_000_000;

/** Opens a fresh instance, runs `fn` on it and always closes it (both bounded). */
export async function withInstance<T>(
  system: BenchSystem,
  context: ScenarioContext,
  fn: (instance: SystemInstance) => Promise<T>,
  options?: OpenOptions,
): Promise<T> {
  await context.beforeRun();
  const instance = await withTimeout(
    system.open(options),
    OPEN_CLOSE_TIMEOUT_MS,
    `${system.label} to open`,
  );
  let result: T;
  try {
    result = await fn(instance);
  } catch (error) {
    await withTimeout(instance.close(), OPEN_CLOSE_TIMEOUT_MS, "close").catch(() => undefined);
    throw error;
  }
  await withTimeout(instance.close(), OPEN_CLOSE_TIMEOUT_MS, `${system.label} to close`);
  return result;
}

/** Times one throughput run on a fresh instance. */
async function throughputRun(
  system: BenchSystem,
  context: ScenarioContext,
  measure: (instance: SystemInstance) => Promise<{ jobs: number; elapsedMs: number }>,
): Promise<ThroughputMeasurement> {
  const { jobs, elapsedMs } = await withInstance(system, context, measure);
  const rate = (jobs * 1000) / elapsedMs;
  return { kind: "throughput", jobsPerSecond: rate, runs: [rate], jobs };
}

/** The median of a system's throughput runs (each run's rate is kept, in run order). */
function medianOfRuns(runs: readonly Measurement[]): Measurement {
  const throughputs = runs.filter((m): m is ThroughputMeasurement => m.kind === "throughput");
  const rates = throughputs.flatMap((m) => m.runs);
  return {
    kind: "throughput",
    jobsPerSecond: median(rates),
    runs: rates,
    jobs: median(throughputs.map((m) => m.jobs)),
  };
}

/** A scenario measured once per system. */
export const once = {
  repetitions: (): number => 1,
  combine: (runs: readonly Measurement[]): Measurement => runs[0]!,
};

/** A throughput scenario: `config.runs` runs per system, the median reported. */
const repeated = {
  repetitions: (config: BenchConfig): number => config.runs,
  combine: medianOfRuns,
};

function payloads(from: number, count: number): BenchPayload[] {
  return Array.from({ length: count }, (_, k) => ({ i: from + k }));
}

async function enqueueInChunks(
  instance: SystemInstance,
  count: number,
  chunkSize: number,
): Promise<void> {
  for (let from = 0; from < count; from += chunkSize) {
    await instance.bulkEnqueue(payloads(from, Math.min(chunkSize, count - from)));
  }
}

/** Random whole milliseconds in [min, max]. */
function jitter(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}

const bulk: Scenario = {
  id: "bulk",
  title: "Bulk enqueue",
  method: (c) =>
    `${c.throughputJobs.toLocaleString("en")} jobs submitted with each system's bulk API in ` +
    `calls of ${c.chunkSize.toLocaleString("en")}, one call after another; timed from the first ` +
    `call to the last acknowledgement (after one warm-up submit). Median of ${c.runs}.`,
  applies: () => true,
  ...repeated,
  run: (system, config, context) =>
    throughputRun(system, context, async (instance) => {
      await instance.enqueue({ i: WARMUP_BASE });
      const started = performance.now();
      await enqueueInChunks(instance, config.throughputJobs, config.chunkSize);
      return { jobs: config.throughputJobs, elapsedMs: performance.now() - started };
    }),
};

function singleEnqueue(inFlight: number): Scenario {
  return {
    id: inFlight === 1 ? "single-1" : "single-16",
    title: `Single enqueue, ${inFlight} in flight`,
    method: (c) =>
      `${inFlight} caller${inFlight === 1 ? "" : "s"} each submitting one job at a time with the ` +
      `single-submit API (awaiting each acknowledgement) for ${c.singleDurationMs / 1000} s; ` +
      `jobs acknowledged ÷ elapsed time. Median of ${c.runs}.`,
    applies: () => true,
    ...repeated,
    run: (system, config, context) =>
      throughputRun(system, context, async (instance) => {
        await Promise.all(payloads(WARMUP_BASE, inFlight).map((p) => instance.enqueue(p)));
        let next = 0;
        const started = performance.now();
        const deadline = started + config.singleDurationMs;
        const caller = async (): Promise<void> => {
          while (performance.now() < deadline) {
            const i = next;
            next += 1;
            await withTimeout(instance.enqueue({ i }), STEP_TIMEOUT_MS, `submit ${i}`);
          }
        };
        await Promise.all(Array.from({ length: inFlight }, caller));
        return { jobs: next, elapsedMs: performance.now() - started };
      }),
  };
}

const processing: Scenario = {
  id: "process",
  title: "No-op processing, concurrency 50",
  method: (c) =>
    `${c.throughputJobs.toLocaleString("en")} no-op jobs enqueued in bulk (not timed), then a ` +
    `worker with concurrency ${c.concurrency} is started; timed from the start call until every ` +
    `job is reported completed (and, where that report precedes the write, until the store ` +
    `shows none left). Median of ${c.runs}.`,
  applies: () => true,
  ...repeated,
  run: (system, config, context) =>
    throughputRun(system, context, async (instance) => {
      await enqueueInChunks(instance, config.throughputJobs, config.chunkSize);
      const tracker = new JobTracker();
      const started = performance.now();
      const worker = await instance.startWorker({
        concurrency: config.concurrency,
        goal: "throughput",
        hooks: tracker.hooks,
      });
      await tracker.waitCompletedCount(config.throughputJobs, PROCESS_TIMEOUT_MS);
      await instance.settle?.(PROCESS_TIMEOUT_MS);
      const elapsedMs = performance.now() - started;
      await withTimeout(worker.stop(), STEP_TIMEOUT_MS, "the worker to stop");
      return { jobs: config.throughputJobs, elapsedMs };
    }),
};

const pickup: Scenario = {
  id: "pickup",
  title: "Pickup latency, idle worker in the same process",
  method: (c) =>
    `An idle worker (concurrency ${c.concurrency}) in the benchmark process; one job at a time ` +
    `is submitted with the single-submit API, ${c.latencySamples} samples after ` +
    `${c.latencyWarmup} warm-ups, each 5–15 ms after the previous job completed (a polling ` +
    `system takes fewer samples, spread over its polling cycle: see its notes). Timed ` +
    `from the start of the submit call to the start of the handler (so it includes the submit's ` +
    `commit); "after ack" is the part from the call's return to the handler's start.`,
  applies: () => true,
  ...once,
  run: (system, config, context) =>
    withInstance(system, context, async (instance) => {
      const tracker = new JobTracker();
      const worker = await instance.startWorker({
        concurrency: config.concurrency,
        goal: "latency",
        hooks: tracker.hooks,
      });
      await sleep(200);
      const samples = Math.min(config.latencySamples, system.latencySamples ?? Infinity);
      const latencies: number[] = [];
      const afterAck: number[] = [];
      const [gapMin, gapMax] = system.pickupGapMs ?? [5, 15];
      for (let k = 0; k < config.latencyWarmup + samples; k += 1) {
        await sleep(jitter(gapMin, gapMax));
        const submitted = performance.now();
        await withTimeout(instance.enqueue({ i: k }), STEP_TIMEOUT_MS, `submit ${k}`);
        const acknowledged = performance.now();
        const startedAt = await tracker.waitStarted(k, STEP_TIMEOUT_MS);
        await tracker.waitCompleted(k, STEP_TIMEOUT_MS);
        if (k >= config.latencyWarmup) {
          latencies.push(startedAt - submitted);
          afterAck.push(startedAt - acknowledged);
        }
      }
      await withTimeout(worker.stop(), STEP_TIMEOUT_MS, "the worker to stop");
      return {
        kind: "latency",
        latency: summarizeLatency(latencies),
        afterAck: summarizeLatency(afterAck),
      };
    }),
};

const pickupCrossProcess: Scenario = {
  id: "pickup-cross",
  title: "Pickup latency across processes, and idle worker CPU",
  method: (c) =>
    `A worker (concurrency ${c.concurrency}, default options) in a child process on the same ` +
    `store; the parent submits one job at a time (${c.latencySamples} samples after ` +
    `${c.latencyWarmup} warm-ups, 10–40 ms apart) and the handler reports ` +
    `\`performance.timeOrigin + performance.now()\` over IPC; timed from the start of the ` +
    `submit call to the start of the handler ("after ack": from the call's return). Then, after ${IDLE_SETTLE_MS / 1000} s without ` +
    `jobs, the child measures its own \`process.cpuUsage()\` over ${c.idleCpuMs / 1000} s, as % ` +
    `of one core.`,
  applies: (system) => system.id.startsWith("spool-"),
  ...once,
  run: (system, config, context) =>
    withInstance(system, context, async (instance) => {
      if (instance.startRemoteWorker === undefined) throw new Error("no cross-process worker");
      const remote = await instance.startRemoteWorker(config.concurrency);
      try {
        await sleep(500);
        const latencies: number[] = [];
        const afterAck: number[] = [];
        const epochNow = (): number => performance.timeOrigin + performance.now();
        for (let k = 0; k < config.latencyWarmup + config.latencySamples; k += 1) {
          const submitted = epochNow();
          await withTimeout(instance.enqueue({ i: k }), STEP_TIMEOUT_MS, `submit ${k}`);
          const acknowledged = epochNow();
          const startedAt = await remote.started(k, STEP_TIMEOUT_MS);
          if (k >= config.latencyWarmup) {
            latencies.push(startedAt - submitted);
            afterAck.push(startedAt - acknowledged);
          }
          await sleep(jitter(10, 40));
        }
        // Let the child finish what the samples left behind (GC, JIT) before calling it idle.
        await sleep(IDLE_SETTLE_MS);
        const cpu = await remote.idleCpu(config.idleCpuMs);
        return {
          kind: "latency",
          latency: summarizeLatency(latencies),
          afterAck: summarizeLatency(afterAck),
          idleCpuPercent: (cpu.cpuMs / cpu.elapsedMs) * 100,
        };
      } finally {
        await remote.stop();
      }
    }),
};

const steady: Scenario = {
  id: "steady",
  title: "Steady load, 1,000 jobs/s",
  method: (c) =>
    `A worker (concurrency ${c.concurrency}) runs while jobs are submitted one per call on a ` +
    `1 ms timer at ${c.steadyRate.toLocaleString("en")} jobs/s for ${c.steadyDurationMs / 1000} ` +
    `s (calls not awaited before the next; after 20 warm-ups). Latency is from each job's ` +
    `scheduled submit time to its completion report (so a submit path that falls behind ` +
    `schedule counts against it). "Kept up" means every job completed, none later than ` +
    `${c.steadyGraceMs / 1000} s after its scheduled submit time.`,
  applies: () => true,
  ...once,
  run: (system, config, context) =>
    withInstance(system, context, async (instance) => {
      const tracker = new JobTracker();
      const worker = await instance.startWorker({
        concurrency: config.concurrency,
        goal: "latency",
        hooks: tracker.hooks,
      });
      const warmups = payloads(WARMUP_BASE, 20);
      for (const p of warmups) await withTimeout(instance.enqueue(p), STEP_TIMEOUT_MS, "warm-up");
      await tracker.waitCompletedCount(warmups.length, STEP_TIMEOUT_MS);
      const result = await steadyLoad(instance, tracker, config);
      await withTimeout(worker.stop(), STEP_TIMEOUT_MS, "the worker to stop");
      return result;
    }),
};

/** The library scenarios, in run order (run.ts appends the HTTP ones of bench/http.ts). */
export const LIBRARY_SCENARIOS: readonly Scenario[] = [
  bulk,
  singleEnqueue(1),
  singleEnqueue(16),
  processing,
  pickup,
  pickupCrossProcess,
  steady,
];
