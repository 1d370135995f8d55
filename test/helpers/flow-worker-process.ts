/**
 * A worker process for the flow and batch tests (test/integration/flows-processes.test.ts),
 * configured by the JSON in `SPOOL_TEST_FLOW_WORKER`. It runs maintenance like any Spool (so the
 * flow resolver runs in whichever process leads), and appends one line per event to `logPath`
 * (appendFileSync: in the file before the handler goes on):
 * - `parent <id> <pid> <endMs>` when a `flow.parent` job returns `{ n, pid }` (it throws
 *   `UnrecoverableError` instead when its payload says `fail: true`);
 * - `child <id> <pid> <startMs> <parents JSON>` when a `flow.child` job starts;
 * - `done <id> <pid>` when a `batch.done` job runs.
 * `batch.job` jobs with `gate: true` wait until the file `gatePath` exists, so the last jobs of a
 * batch can be made to finish at the same moment in two processes. Prints `ready` once started.
 */
import { appendFileSync, existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { Spool, UnrecoverableError } from "../../src/index.js";

/** What the parent tells the child. */
export interface FlowWorkerConfig {
  url: string;
  schema?: string;
  logPath: string;
  name: string;
  queues: string[];
  concurrency: number;
  gatePath?: string;
}

const config = JSON.parse(process.env.SPOOL_TEST_FLOW_WORKER ?? "{}") as FlowWorkerConfig;
const spool = await Spool.open({
  url: config.url,
  ...(config.schema === undefined ? {} : { storeTuning: { schema: config.schema, poolSize: 4 } }),
  maintenance: { flowIntervalMs: 25, promoteIntervalMs: 50, leaderLeaseMs: 1_000 },
});
const log = (line: string): void => appendFileSync(config.logPath, `${line}\n`);

const worker = spool.worker({
  name: config.name,
  concurrency: config.concurrency,
  queues: config.queues,
  pollIntervalMs: 50,
  handleSignals: true,
  handlers: {
    "flow.parent": async (job) => {
      await sleep(Math.random() * 20);
      if (job.payload.fail === true) throw new UnrecoverableError("this parent fails");
      log(`parent ${job.id} ${process.pid} ${Date.now()}`);
      return { n: job.payload.n as number, pid: process.pid };
    },
    "flow.child": (job, ctx) => {
      log(`child ${job.id} ${process.pid} ${Date.now()} ${JSON.stringify(ctx.parents)}`);
      return { parents: ctx.parents.length };
    },
    "batch.job": async (job) => {
      if (job.payload.gate === true) {
        // Polls a file the test creates: both gated jobs return within a millisecond or two.
        while (!existsSync(config.gatePath!)) await sleep(1);
      } else {
        await sleep(Math.random() * 5);
      }
      return { i: job.payload.i as number };
    },
    "batch.done": (job) => {
      log(`done ${job.id} ${process.pid}`);
      return null;
    },
  },
});
worker.on("worker.stopped", () => {
  void spool.close().then(() => process.exit(0));
});
await worker.start();
process.stdout.write("ready\n");
