/**
 * A worker in its own process, for crash and multi-process tests. Configured by the JSON in
 * `SPOOL_TEST_WORKER` (see `WorkerProcessConfig`). Each execution appends `start` and `end`
 * lines to `logPath` (appendFileSync: the line is in the file before the handler goes on), so
 * the parent can prove how many times, where and when each job ran. Prints `ready` once started;
 * SIGTERM stops it gracefully.
 */
import { appendFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { Spool } from "../../src/index.js";

/** What the parent tells the child. */
export interface WorkerProcessConfig {
  url: string;
  logPath: string;
  name: string;
  concurrency: number;
  leaseMs: number;
  /** Attempt numbers on which the handler hangs until the process dies. */
  hangOnAttempts?: number[];
  /** Upper bound of a random per-job delay, ms. */
  maxDelayMs?: number;
  /** PostgreSQL schema, when `url` is a postgres URL. */
  schema?: string;
  /** PostgreSQL: pool connections of this process (plus one LISTEN connection). Default 4. */
  poolSize?: number;
  /** Queues to work. Default `["default"]`. */
  queues?: string[];
  /** Print `completed <id>` once each completion is acknowledged (committed). */
  reportCompletions?: boolean;
}

const config = JSON.parse(process.env.SPOOL_TEST_WORKER ?? "{}") as WorkerProcessConfig;
const spool = await Spool.open({
  url: config.url,
  ...(config.schema === undefined
    ? {}
    : { storeTuning: { schema: config.schema, poolSize: config.poolSize ?? 4 } }),
  // A short leader lease: killing the process that leads maintenance must not hold up rescues.
  maintenance: { rescueIntervalMs: 100, promoteIntervalMs: 50, leaderLeaseMs: 1_000 },
  random: () => 0, // retries at once after a rescue
});
const log = (line: string): void => appendFileSync(config.logPath, `${line}\n`);

const worker = spool.worker({
  name: config.name,
  concurrency: config.concurrency,
  leaseMs: config.leaseMs,
  queues: config.queues ?? ["default"],
  pollIntervalMs: 100,
  handleSignals: true,
  handlers: {
    "crash.job": async (job) => {
      log(`start ${job.id} ${job.attempt} ${process.pid} ${Date.now()}`);
      if (config.hangOnAttempts?.includes(job.attempt)) await new Promise(() => undefined);
      if (config.maxDelayMs) await sleep(Math.random() * config.maxDelayMs);
      log(`end ${job.id} ${job.attempt} ${process.pid} ${Date.now()}`);
      return { pid: process.pid, attempt: job.attempt };
    },
  },
});
// `spool.on` sees every process's events (the store's log): report only this worker's — the
// jobs whose latest start it made — as acknowledged here.
if (config.reportCompletions) {
  const mine = new Set<string>();
  spool.on("job.started", (e) => {
    if (e.worker === worker.id) mine.add(e.jobId);
    else mine.delete(e.jobId);
  });
  spool.on("job.completed", (e) => {
    if (mine.delete(e.jobId)) process.stdout.write(`completed ${e.jobId}\n`);
  });
}
worker.on("worker.stopped", () => {
  void spool.close().then(() => process.exit(0));
});
// With LISTEN/NOTIFY, `ready` waits until the listener is up (the store reports it with a null
// wake-up), so that the parent's next submission reaches this worker without waiting for a poll.
const listening = spool.store.capabilities.listenNotify
  ? new Promise<void>((resolve) => {
      const off = spool.store.onJobsAvailable((queue) => {
        if (queue === null) {
          off();
          resolve();
        }
      });
    })
  : Promise.resolve();
await worker.start();
await listening;
process.stdout.write("ready\n");
