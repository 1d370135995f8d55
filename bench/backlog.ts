/**
 * PostgreSQL under churn (issue 15): the deep-backlog scenarios (`backlog-200k`, `backlog-1m`:
 * drain a backlog enqueued up front in a fresh schema; `backlog-1m-followed`: Spool alone,
 * following every completion with `spool.on`) and the churn scenario (`churn`: 20,000
 * new jobs on an empty store, then again after 1M, 3M, 5M jobs have gone through it). They run
 * for Spool on PostgreSQL and graphile-worker, one after the other in the same run, and log the
 * rate of every 100,000-job stretch and the dead rows per table as they go, so a slowdown over
 * time shows. Long: the deep-backlog ones take minutes, the churn one up to an hour, so `churn`
 * runs only when `--scenarios` names it.
 *
 * Both systems run as a user would run them on a database whose autovacuum is off: Spool with
 * its maintenance on (default intervals, which include the table vacuumer), graphile-worker as
 * in the other scenarios.
 */
import type { BenchConfig } from "./config.js";
import { once, withInstance, type Scenario, type ScenarioContext } from "./scenarios.js";
import type {
  BenchPayload,
  BenchSystem,
  OpenOptions,
  SystemInstance,
  TableRows,
} from "./systems/system.js";
import { withTimeout } from "./wait.js";

/** Jobs per rate stretch. */
const STRETCH = 100_000;
/** Jobs per bulk call (not timed). */
const CHUNK = 5_000;
/** Jobs of each churn measurement. */
const PROBE_JOBS = 20_000;
/** Share of churn jobs that fail (one attempt), and queues they spread over. */
const FAIL_EVERY = 20;
const LANES = 4;
/** Longest a drain may stall without a single completion, ms. */
const STALL_TIMEOUT_MS = 120_000;

/** Scenarios of this file apply to the PostgreSQL systems compared in issue 15. */
const applies = (system: BenchSystem): boolean =>
  system.id === "spool-postgres" || system.id === "graphile-worker";

/** Spool runs with its maintenance on here (see the module header). */
const OPEN: OpenOptions = { maintenance: true };

/** Counts completions and failures and lets a caller wait for a total. */
class DoneCounter {
  done = 0;
  private waiter: { target: number; resolve: () => void } | undefined;
  private lastProgress = performance.now();

  readonly hooks = {
    onStarted: (): void => undefined,
    onCompleted: (): void => this.bump(),
    onFailed: (): void => this.bump(),
  };

  private bump(): void {
    this.done += 1;
    this.lastProgress = performance.now();
    if (this.waiter !== undefined && this.done >= this.waiter.target) {
      this.waiter.resolve();
      this.waiter = undefined;
    }
  }

  /** Resolves once `target` jobs are done; rejects when none finished for a long time. */
  async waitFor(target: number): Promise<void> {
    if (this.done >= target) return;
    const reached = new Promise<void>((resolve) => (this.waiter = { target, resolve }));
    for (;;) {
      const stalled = STALL_TIMEOUT_MS - (performance.now() - this.lastProgress);
      const outcome = await withTimeout(reached, Math.max(1_000, stalled), "progress").then(
        () => "reached" as const,
        () => "waiting" as const,
      );
      if (outcome === "reached") return;
      if (performance.now() - this.lastProgress >= STALL_TIMEOUT_MS) {
        throw new Error(`no job finished for ${STALL_TIMEOUT_MS / 1000} s (${this.done} done)`);
      }
    }
  }
}

function churnPayloads(from: number, count: number, churn: boolean): BenchPayload[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return churn ? { i, lane: i % LANES, ...(i % FAIL_EVERY === 0 ? { fail: true } : {}) } : { i };
  });
}

async function enqueueAll(
  instance: SystemInstance,
  from: number,
  count: number,
  churn: boolean,
): Promise<void> {
  for (let k = 0; k < count; k += CHUNK) {
    await instance.bulkEnqueue(churnPayloads(from + k, Math.min(CHUNK, count - k), churn));
  }
}

/**
 * Starts a worker, waits until `count` more jobs are done, stops it; returns the rate of every
 * `STRETCH` jobs and of the whole, jobs/s.
 */
async function drain(
  instance: SystemInstance,
  config: BenchConfig,
  count: number,
  options: { lanes: boolean; settle: boolean; report?: "events" | "handler" },
): Promise<{ rate: number; stretches: number[] }> {
  const counter = new DoneCounter();
  const started = performance.now();
  const worker = await instance.startWorker({
    concurrency: config.concurrency,
    goal: "throughput",
    hooks: counter.hooks,
    ...(options.lanes ? { lanes: LANES } : {}),
    ...(options.report === undefined ? {} : { report: options.report }),
  });
  const stretches: number[] = [];
  let from = started;
  for (let target = Math.min(STRETCH, count); ; target = Math.min(target + STRETCH, count)) {
    await counter.waitFor(target);
    const now = performance.now();
    const jobs = target - stretches.length * STRETCH;
    stretches.push((jobs * 1000) / (now - from));
    from = now;
    if (target >= count) break;
  }
  // graphile-worker reports success before its (batched) delete, and so does Spool reporting
  // from the handler. graphile-worker's failed rows stay, so the churn scenario cannot wait for
  // its table to empty and counts reports only (for both).
  if (options.settle) await instance.settle?.(STALL_TIMEOUT_MS);
  const elapsed = performance.now() - started;
  await withTimeout(worker.stop(), 30_000, "the worker to stop");
  return { rate: (count * 1000) / elapsed, stretches };
}

const fmt = (rate: number): string => Math.round(rate).toLocaleString("en");

function describeRows(rows: readonly TableRows[]): string {
  return rows
    .filter((r) => r.dead > 0 || r.live > 0)
    .slice(0, 6)
    .map(
      (r) => `${r.table} ${r.live.toLocaleString("en")} live/${r.dead.toLocaleString("en")} dead`,
    )
    .join(", ");
}

async function logRows(instance: SystemInstance, context: ScenarioContext): Promise<void> {
  const rows = (await instance.tableRows?.()) ?? [];
  context.log?.(`    tables: ${describeRows(rows)}`);
}

type BacklogId = "backlog-200k" | "backlog-1m" | "backlog-1m-followed";

/**
 * Drains a backlog of `jobs` enqueued up front in a fresh instance. Both systems report a job
 * done when its handler returns, and the drain ends when the store holds no unfinished job —
 * graphile-worker's own completion point. `followed`: Spool only, every completion followed with
 * `spool.on("job.completed")` instead (what a process pays to see every completion, committed,
 * from the store's event log; graphile-worker has no such log).
 */
function backlog(id: BacklogId, jobs: number, followed = false): Scenario {
  return {
    id,
    title: followed
      ? `Deep backlog, ${jobs.toLocaleString("en")} jobs, every completion followed with spool.on`
      : `Deep backlog, ${jobs.toLocaleString("en")} jobs`,
    method: (c) =>
      `${jobs.toLocaleString("en")} no-op jobs enqueued up front in a fresh schema (bulk calls ` +
      `of ${CHUNK.toLocaleString("en")}, not timed); then one worker (concurrency ` +
      `${c.concurrency}) in the benchmark process drains them; ` +
      (followed
        ? 'Spool only, timed until a `spool.on("job.completed")` listener has seen every ' +
          "completion (committed, read back from the store's event log). "
        : "timed from its start until every handler has returned and the store holds no " +
          "unfinished job (graphile-worker: its table empty). ") +
      `The rate of every ${STRETCH.toLocaleString("en")}-job stretch is logged. Spool runs ` +
      `with maintenance on.`,
    applies: followed ? (system) => system.id === "spool-postgres" : applies,
    ...once,
    timeoutMs: 3_600_000,
    run: (system, config, context) =>
      withInstance(
        system,
        context,
        async (instance) => {
          const quick = config.quick ? Math.min(jobs, 2_000) : jobs;
          const enqueueStarted = performance.now();
          await enqueueAll(instance, 0, quick, false);
          context.log?.(
            `    enqueued ${quick.toLocaleString("en")} in ` +
              `${((performance.now() - enqueueStarted) / 1000).toFixed(1)} s`,
          );
          const { rate, stretches } = await drain(instance, config, quick, {
            lanes: false,
            settle: true,
            report: followed ? "events" : "handler",
          });
          const slowest = Math.min(...stretches) / stretches[0]!;
          context.log?.(
            `    per ${STRETCH.toLocaleString("en")}: ${stretches.map(fmt).join(", ")} jobs/s ` +
              `(slowest ÷ first = ${slowest.toFixed(2)})`,
          );
          await logRows(instance, context);
          return { kind: "throughput", jobsPerSecond: rate, runs: [rate], jobs: quick };
        },
        OPEN,
      ),
  };
}

/**
 * Measures 20,000 new jobs on the empty store, then pushes jobs through (5 % failing, four
 * queues) in rounds of `STRETCH`, measuring again at each of `config.churnSteps`.
 */
const churn: Scenario = {
  id: "churn",
  title: "Churn: 20,000 new jobs after millions went through",
  method: (c) =>
    `A fresh schema; ${PROBE_JOBS.toLocaleString("en")} no-op jobs are enqueued (not timed) and ` +
    `drained by one worker (concurrency ${c.concurrency}): the empty-store rate. Then jobs go ` +
    `through in rounds of ${STRETCH.toLocaleString("en")} (enqueued, then drained; one in ` +
    `${FAIL_EVERY} fails at its only attempt; four queues for Spool) and the ` +
    `measurement (timed to the last success report, for both systems) is repeated after ` +
    `${c.churnSteps.map((s) => s.toLocaleString("en")).join(", ")} jobs. Reported: the rate ` +
    `after the last step; "runs" lists the empty-store rate, then each step's.`,
  applies,
  ...once,
  timeoutMs: 4 * 3_600_000,
  run: (system, config, context) =>
    withInstance(
      system,
      context,
      async (instance) => {
        const steps = config.quick ? [2_000] : config.churnSteps;
        const probeJobs = config.quick ? 1_000 : PROBE_JOBS;
        let next = 0;
        const probe = async (label: string): Promise<number> => {
          await enqueueAll(instance, next, probeJobs, false);
          next += probeJobs;
          const { rate } = await drain(instance, config, probeJobs, {
            lanes: false,
            settle: false,
          });
          context.log?.(`    ${label}: ${fmt(rate)} jobs/s`);
          await logRows(instance, context);
          return rate;
        };
        const rates = [await probe("empty store")];
        let through = 0;
        for (const step of steps) {
          while (through < step) {
            const round = Math.min(STRETCH, step - through);
            await enqueueAll(instance, next, round, true);
            next += round;
            const { rate } = await drain(instance, config, round, {
              lanes: true,
              settle: false,
            });
            through += round;
            context.log?.(
              `    ${through.toLocaleString("en")} through: last round ${fmt(rate)} jobs/s`,
            );
          }
          const rate = await probe(`after ${step.toLocaleString("en")}`);
          rates.push(rate);
          context.log?.(`    ratio to the empty store: ${(rate / rates[0]!).toFixed(2)}`);
        }
        const last = rates.at(-1)!;
        return { kind: "throughput", jobsPerSecond: last, runs: rates, jobs: probeJobs };
      },
      OPEN,
    ),
};

/** The scenarios of this file, in run order. */
export const BACKLOG_SCENARIOS: readonly Scenario[] = [
  backlog("backlog-200k", 200_000),
  backlog("backlog-1m", 1_000_000),
  backlog("backlog-1m-followed", 1_000_000, true),
  churn,
];
