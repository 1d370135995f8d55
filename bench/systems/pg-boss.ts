/**
 * pg-boss 10 on PostgreSQL, in its own schema per instance (dropped on close).
 *
 * pg-boss 10 removed `teamSize`; its maintainer's advice is to call `work()` once per polling
 * worker and to use `batchSize` for throughput. "Concurrency 50" is therefore 50 `work()`
 * pollers at the shortest polling interval it allows (0.5 s), each fetching up to 50 jobs per
 * poll and running them one after another, so at most 50 handlers run at once. A poller that
 * found jobs still waits out the rest of its interval before polling again (pg-boss's loop), and
 * pg-boss has no push wake-up: pickup latency comes from the staggered polls.
 */
import PgBoss from "pg-boss";
import { dropSchema, quoteIdent, waitForZero } from "./postgres.js";
import {
  NOOP_TYPE,
  uniqueName,
  type BenchPayload,
  type BenchSystem,
  type RunningWorker,
  type StartWorkerOptions,
  type SystemId,
  type SystemInstance,
} from "./system.js";

/** pg-boss's minimum polling interval, seconds. */
const POLLING_INTERVAL_SECONDS = 0.5;
/** Jobs each poller fetches per poll. */
const BATCH_SIZE = 50;
const STOP_TIMEOUT_MS = 10_000;

/** pg-boss on PostgreSQL. */
export class PgBossSystem implements BenchSystem {
  readonly id: SystemId = "pg-boss";
  readonly label = "pg-boss 10";
  readonly backend = "PostgreSQL";
  readonly completionPoint =
    "its handler returning (pg-boss then writes the completion without waiting for it); " +
    "throughput runs also wait until every job's state is `completed`";
  readonly tuning =
    `50 \`work()\` pollers (its replacement for \`teamSize\`), \`batchSize: ${BATCH_SIZE}\` each, ` +
    `run in turn so at most 50 handlers run at once, \`pollingIntervalSeconds: ` +
    `${POLLING_INTERVAL_SECONDS}\` (its minimum); default pool (10 connections); bulk submits ` +
    "with `insert()`, single submits with `send()`. Pickup latency: 60 samples, 5–505 ms " +
    "apart, so they fall at random points of the polling cycle (a fixed short gap locks onto " +
    "one phase of it)";
  readonly durability = "PostgreSQL defaults (`synchronous_commit = on`, `fsync = on`)";
  /** Pickups wait for a poll: sample at random points of the 0.5 s cycle, fewer times. */
  readonly pickupGapMs = [5, 5 + POLLING_INTERVAL_SECONDS * 1000] as const;
  readonly latencySamples = 60;

  constructor(private readonly postgresUrl: string) {}

  async open(): Promise<SystemInstance> {
    const schema = uniqueName("bench_pgboss");
    const boss = new PgBoss({ connectionString: this.postgresUrl, schema });
    const errors: string[] = [];
    boss.on("error", (error: Error) => errors.push(error.message));
    try {
      await boss.start();
      await boss.createQueue(NOOP_TYPE);
      return new PgBossInstance(this.postgresUrl, schema, boss);
    } catch (error) {
      await boss.stop({ graceful: false, timeout: STOP_TIMEOUT_MS }).catch(() => undefined);
      await dropSchema(this.postgresUrl, schema).catch(() => undefined);
      throw error;
    }
  }
}

class PgBossInstance implements SystemInstance {
  constructor(
    private readonly url: string,
    private readonly schema: string,
    private readonly boss: PgBoss,
  ) {}

  async bulkEnqueue(payloads: readonly BenchPayload[]): Promise<void> {
    await this.boss.insert(payloads.map((p) => ({ name: NOOP_TYPE, data: { i: p.i } })));
  }

  async enqueue(payload: BenchPayload): Promise<void> {
    await this.boss.send(NOOP_TYPE, { i: payload.i });
  }

  async startWorker({ concurrency, hooks }: StartWorkerOptions): Promise<RunningWorker> {
    const options = { batchSize: BATCH_SIZE, pollingIntervalSeconds: POLLING_INTERVAL_SECONDS };
    for (let n = 0; n < concurrency; n += 1) {
      await this.boss.work<BenchPayload>(NOOP_TYPE, options, async (jobs) => {
        for (const job of jobs) hooks.onStarted(job.data.i);
        for (const job of jobs) hooks.onCompleted(job.data.i);
      });
    }
    return { stop: () => this.boss.offWork(NOOP_TYPE) };
  }

  async settle(timeoutMs: number): Promise<void> {
    const sql =
      `SELECT count(*) AS n FROM ${quoteIdent(this.schema)}.job ` +
      `WHERE name = '${NOOP_TYPE}' AND state <> 'completed'`;
    await waitForZero(this.url, sql, {
      timeoutMs,
      intervalMs: 10,
      what: "pg-boss to record every job completed",
    });
  }

  async close(): Promise<void> {
    try {
      await this.boss.stop({ graceful: true, wait: true, timeout: STOP_TIMEOUT_MS });
    } finally {
      await dropSchema(this.url, this.schema);
    }
  }
}
