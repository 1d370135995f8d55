/**
 * BullMQ 5 on Redis, the reference point off PostgreSQL. Each instance uses its own key prefix,
 * obliterated and swept on close. Redis here runs without persistence (no RDB snapshots, no
 * AOF), so an acknowledged job is in memory only.
 */
import { Queue, Worker, type RedisClient } from "bullmq";
import { pollUntil } from "../wait.js";
import {
  DEFAULT_REDIS,
  NOOP_TYPE,
  uniqueName,
  type BenchPayload,
  type BenchSystem,
  type RunningWorker,
  type StartWorkerOptions,
  type SystemId,
  type SystemInstance,
} from "./system.js";

/** BullMQ on Redis. */
export class BullMqSystem implements BenchSystem {
  readonly id: SystemId = "bullmq";
  readonly label = "BullMQ 5";
  readonly backend = "Redis";
  readonly completionPoint =
    "the worker's `completed` event, emitted after the job is moved to the completed set";
  readonly tuning =
    "`new Worker(queue, handler, { concurrency: 50 })`, default job options; bulk submits with " +
    "`addBulk()`, single submits with `add()`";
  readonly durability = 'Redis without persistence (`appendonly no`, `save ""`): memory only';

  async open(): Promise<SystemInstance> {
    const prefix = uniqueName("bench-bullmq");
    const queue = new Queue<BenchPayload>(NOOP_TYPE, { connection: { ...DEFAULT_REDIS }, prefix });
    queue.on("error", () => undefined);
    try {
      await queue.waitUntilReady();
    } catch (error) {
      await queue.close().catch(() => undefined);
      throw error;
    }
    return new BullMqInstance(queue, prefix);
  }
}

class BullMqInstance implements SystemInstance {
  private readonly workers = new Set<Worker>();

  constructor(
    private readonly queue: Queue<BenchPayload>,
    private readonly prefix: string,
  ) {}

  async bulkEnqueue(payloads: readonly BenchPayload[]): Promise<void> {
    await this.queue.addBulk(payloads.map((p) => ({ name: NOOP_TYPE, data: { i: p.i } })));
  }

  async enqueue(payload: BenchPayload): Promise<void> {
    await this.queue.add(NOOP_TYPE, { i: payload.i });
  }

  async startWorker({ concurrency, hooks }: StartWorkerOptions): Promise<RunningWorker> {
    const worker = new Worker<BenchPayload>(
      NOOP_TYPE,
      async (job) => {
        hooks.onStarted(job.data.i);
        return null;
      },
      { connection: { ...DEFAULT_REDIS }, prefix: this.prefix, concurrency, autorun: false },
    );
    worker.on("completed", (job) => hooks.onCompleted(job.data.i));
    worker.on("error", () => undefined);
    void worker.run();
    await worker.waitUntilReady();
    // `run()` registers the blocking connection asynchronously; wait until it is polling.
    await pollUntil(() => worker.isRunning(), {
      timeoutMs: 5_000,
      intervalMs: 5,
      what: "the BullMQ worker to run",
    });
    this.workers.add(worker);
    return {
      stop: async () => {
        this.workers.delete(worker);
        await worker.close();
      },
    };
  }

  async close(): Promise<void> {
    try {
      await Promise.all([...this.workers].map((worker) => worker.close()));
      await this.queue.obliterate({ force: true });
      await sweepKeys(await this.queue.client, `${this.prefix}:*`);
    } finally {
      await this.queue.close();
    }
  }
}

/** Deletes every key matching `pattern` (what `obliterate` may leave, such as event streams). */
async function sweepKeys(client: RedisClient, pattern: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, { MATCH: pattern, COUNT: 1000 });
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== "0");
}

/** The Redis server's version and persistence settings, for the report. */
export async function redisFacts(): Promise<{ version: string; persistence: string }> {
  const queue = new Queue(uniqueName("bench-bullmq-facts"), { connection: { ...DEFAULT_REDIS } });
  queue.on("error", () => undefined);
  try {
    const client = await queue.waitUntilReady();
    const info = await client.info();
    const field = (name: string): string =>
      new RegExp(`^${name}:(.*)$`, "m").exec(info)?.[1]?.trim() ?? "?";
    // BullMQ's client interface has no CONFIG; its default driver (ioredis) does.
    const config = (client as unknown as { config?: ConfigCommand }).config;
    const save =
      typeof config === "function" ? ((await config.call(client, "GET", "save"))[1] ?? "?") : "?";
    return {
      version: field("redis_version"),
      persistence: `appendonly=${field("aof_enabled") === "1" ? "yes" : "no"}, save="${save}"`,
    };
  } finally {
    await queue.close();
  }
}

type ConfigCommand = (verb: "GET", name: string) => Promise<string[]>;
