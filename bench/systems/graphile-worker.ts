/**
 * graphile-worker 0.17 on PostgreSQL, in its own schema per instance (dropped on close), tuned
 * with the settings of its performance guide: batched completions, and for throughput a local
 * queue (batched, locked fetches; off for latency, which it raises); `concurrency` jobs at once
 * and a pool of `concurrency + 2` connections (the size its `maxPoolSize` documentation
 * recommends).
 */
import { EventEmitter } from "node:events";
import {
  Logger,
  makeWorkerUtils,
  run,
  type Runner,
  type WorkerEvents,
  type WorkerUtils,
} from "graphile-worker";
import { dropSchema, quoteIdent, tableRowsOf, waitForZero } from "./postgres.js";
import {
  NOOP_TYPE,
  uniqueName,
  type BenchPayload,
  type BenchSystem,
  type RunningWorker,
  type StartWorkerOptions,
  type SystemId,
  type SystemInstance,
  type TableRows,
} from "./system.js";

/** graphile-worker's performance guide: fetch this many jobs into each worker's local queue. */
const LOCAL_QUEUE_SIZE = 500;

/** Logs nothing: graphile-worker logs every completed job at info level by default. */
const silentLogger = new Logger(() => () => undefined);

/** graphile-worker on PostgreSQL. */
export class GraphileWorkerSystem implements BenchSystem {
  readonly id: SystemId = "graphile-worker";
  readonly label = "graphile-worker 0.17";
  readonly backend = "PostgreSQL";
  readonly completionPoint =
    "its `job:success` event, emitted when the task returns, before the (batched) delete of " +
    "the job row; throughput runs also wait until the job table is empty";
  readonly tuning =
    "`run({ concurrency: 50, maxPoolSize: 52, pollInterval: 2000 })` with its performance " +
    "guide's batching options `completeJobBatchDelay: 0`, `failJobBatchDelay: 0`, plus " +
    `\`localQueue: { size: ${LOCAL_QUEUE_SIZE} }\` for the processing scenario only (its docs ` +
    "warn the local queue can raise latency; in our runs it took the steady-load p99 from " +
    "~50 ms to ~650–800 ms, so the latency scenarios run without it); LISTEN/NOTIFY wake-ups; " +
    "bulk submits with `addJobs` (the `add_jobs` SQL function), single submits with `addJob`";
  readonly durability = "PostgreSQL defaults (`synchronous_commit = on`, `fsync = on`)";

  constructor(private readonly postgresUrl: string) {}

  async open(): Promise<SystemInstance> {
    const schema = uniqueName("bench_gw");
    try {
      const utils = await makeWorkerUtils({
        connectionString: this.postgresUrl,
        schema,
        logger: silentLogger,
      });
      await utils.migrate();
      return new GraphileWorkerInstance(this.postgresUrl, schema, utils);
    } catch (error) {
      await dropSchema(this.postgresUrl, schema).catch(() => undefined);
      throw error;
    }
  }
}

class GraphileWorkerInstance implements SystemInstance {
  private readonly runners = new Set<Runner>();

  constructor(
    private readonly url: string,
    private readonly schema: string,
    private readonly utils: WorkerUtils,
  ) {}

  async bulkEnqueue(payloads: readonly BenchPayload[]): Promise<void> {
    await this.utils.addJobs(
      payloads.map((p) =>
        p.fail === true
          ? { identifier: NOOP_TYPE, payload: { i: p.i, fail: true }, maxAttempts: 1 }
          : { identifier: NOOP_TYPE, payload: { i: p.i } },
      ),
    );
  }

  async enqueue(payload: BenchPayload): Promise<void> {
    await this.utils.addJob(NOOP_TYPE, { i: payload.i });
  }

  async startWorker({ concurrency, goal, hooks }: StartWorkerOptions): Promise<RunningWorker> {
    // Our own emitter, so the listener is attached before the first job can finish.
    const events = new EventEmitter() as WorkerEvents;
    events.on("job:success", ({ job }) => hooks.onCompleted(indexOf(job.payload)));
    events.on("job:failed", ({ job }) => hooks.onFailed?.(indexOf(job.payload)));
    const runner = await run({
      connectionString: this.url,
      schema: this.schema,
      concurrency,
      maxPoolSize: concurrency + 2,
      pollInterval: 2_000,
      noHandleSignals: true,
      logger: silentLogger,
      events,
      taskList: {
        [NOOP_TYPE]: (payload) => {
          hooks.onStarted(indexOf(payload));
          if ((payload as Partial<BenchPayload> | null)?.fail === true) throw new Error("failing");
        },
      },
      preset: {
        worker: {
          // Its docs: the local queue "can increase the latency of job execution".
          localQueue: { size: goal === "throughput" ? LOCAL_QUEUE_SIZE : -1 },
          completeJobBatchDelay: 0,
          failJobBatchDelay: 0,
        },
      },
    });
    this.runners.add(runner);
    return {
      stop: async () => {
        this.runners.delete(runner);
        await runner.stop();
      },
    };
  }

  async settle(timeoutMs: number): Promise<void> {
    // graphile-worker deletes a job's row when it completes.
    const sql = `SELECT count(*) AS n FROM ${quoteIdent(this.schema)}._private_jobs`;
    await waitForZero(this.url, sql, {
      timeoutMs,
      intervalMs: 10,
      what: "graphile-worker's job table to empty",
    });
  }

  tableRows(): Promise<TableRows[]> {
    return tableRowsOf(this.url, this.schema);
  }

  async close(): Promise<void> {
    try {
      await Promise.all([...this.runners].map((runner) => runner.stop()));
      await this.utils.release();
    } finally {
      await dropSchema(this.url, this.schema);
    }
  }
}

function indexOf(payload: unknown): number {
  return Number((payload as Partial<BenchPayload> | null)?.i);
}
