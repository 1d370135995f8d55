/**
 * Bad input to every public function of the library API (SPEC §3; issue 2 "Must show"): each
 * call throws a typed error whose `.field` names the field, and nothing is written — no job is
 * inserted (a batch with one bad job inserts none), no job changes, no queue row appears.
 * Arguments are cast with `as never` to get past the compiler, as a JavaScript caller would.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import {
  InvalidTransitionError,
  Spool,
  SpoolConflictError,
  SpoolError,
  SpoolNotFoundError,
  SpoolValidationError,
  type EnqueueRequest,
  type JobRecord,
  type SpoolOptions,
  type WorkerOptions,
} from "../../src/index.js";
import { uuidv7 } from "../../src/core/ids.js";
import { tempDir, tempSqliteUrl } from "../helpers/temp-dir.js";
import { failOneJob } from "../../src/store/shared/failed-attempts.js";

/** Checks that `error` is a SpoolValidationError for `field` (and, if given, that it says why). */
function isValidationError(error: unknown, field: string, why?: RegExp): true {
  assert.ok(error instanceof SpoolValidationError, `expected SpoolValidationError, got ${error}`);
  assert.ok(error instanceof SpoolError);
  assert.equal(error.code, "validation_error");
  assert.equal(error.field, field, `field of: ${error.message}`);
  assert.equal(error.details?.field, field);
  if (why !== undefined) assert.match(error.message, why);
  return true;
}

const circular = (): Record<string, unknown> => {
  const o: Record<string, unknown> = { a: 1 };
  o.self = o;
  return o;
};

const handlers = { "t.job": async () => null };

describe("library API validation", () => {
  let spool: Spool;
  let seed: JobRecord;

  beforeEach(async () => {
    spool = await Spool.open({ url: tempSqliteUrl(), maintenance: false });
    // One job exists, so "nothing written" compares against a non-empty store.
    seed = await spool.enqueue("seed.job", { n: 1 }, { tags: ["seed"] });
  });
  afterEach(async () => {
    await spool.close();
  });

  /** Everything a bad call could have changed: counts, every job, every queue row. */
  const snapshot = async (): Promise<unknown> => ({
    stats: await spool.stats(),
    jobs: (await spool.list({ limit: 1000 })).jobs,
    queues: await spool.queues(),
  });

  /** `call` rejects with a validation error naming `field`, and the store is unchanged. */
  async function rejectsField(
    call: () => Promise<unknown>,
    field: string,
    why?: RegExp,
  ): Promise<void> {
    const before = await snapshot();
    await assert.rejects(call, (error) => isValidationError(error, field, why));
    assert.deepEqual(await snapshot(), before, "a rejected call changed the store");
    assert.equal((await spool.stats()).totalJobs, 1);
  }

  /** `call` rejects with an error of `type`, and the store is unchanged. */
  async function rejectsWith(
    call: () => Promise<unknown>,
    type: new (...args: never[]) => Error,
  ): Promise<Error> {
    const before = await snapshot();
    let caught: unknown;
    await assert.rejects(call, (error) => {
      caught = error;
      return error instanceof type;
    });
    assert.deepEqual(await snapshot(), before, "a rejected call changed the store");
    return caught as Error;
  }

  /** Claims the next job of `queue` through the store, as a worker would. */
  async function claim(queue = "default") {
    const [job] = await spool.store.claimJobs({
      queues: [queue],
      workerId: "test-worker",
      limit: 1,
      leaseMs: 30_000,
      now: Date.now(),
    });
    assert.ok(job, "expected a job to claim");
    return job;
  }

  async function completedJob(): Promise<JobRecord> {
    const running = await claim();
    await spool.store.completeJobs({
      completions: [{ id: running.id, leaseToken: running.leaseToken, resultJson: '{"ok":true}' }],
      now: Date.now(),
    });
    const job = await spool.get(running.id);
    assert.equal(job?.status, "completed");
    return job!;
  }

  async function failedJob(): Promise<JobRecord> {
    const running = await claim();
    await failOneJob(spool.store, {
      id: running.id,
      leaseToken: running.leaseToken,
      error: { message: "boom", type: "Error", attempt: running.attempt },
      outcome: { status: "failed" },
      now: Date.now(),
    });
    const job = await spool.get(running.id);
    assert.equal(job?.status, "failed");
    return job!;
  }

  it("(control) a valid enqueue does write, so the checks below can fail", async () => {
    const before = await spool.stats();
    await spool.enqueue("t.job", { a: 1 });
    assert.equal((await spool.stats()).totalJobs, before.totalJobs + 1);
  });

  describe("enqueue: queue", () => {
    for (const queue of ["Default", "UPPER", "", "q".repeat(65), "a b", "a/b", 42, ["default"]]) {
      it(`refuses queue ${JSON.stringify(queue)}`, async () => {
        await rejectsField(() => spool.enqueue("t.job", {}, { queue } as never), "queue");
      });
    }

    it("says why", async () => {
      await rejectsField(
        () => spool.enqueue("t.job", {}, { queue: "Emails" }),
        "queue",
        /\[a-z0-9_\.-\]\{1,64\}/,
      );
      await rejectsField(
        () => spool.enqueue("t.job", {}, { queue: 7 } as never),
        "queue",
        /must be a string/,
      );
    });
  });

  describe("enqueue: type", () => {
    for (const type of ["", "has space", "x".repeat(129), "a/b", 42, undefined, null]) {
      it(`refuses type ${JSON.stringify(type)}`, async () => {
        await rejectsField(() => spool.enqueue(type as never, {}), "type");
      });
    }
  });

  describe("enqueue: payload", () => {
    it("undefined means {}", async () => {
      const job = await spool.enqueue("t.job");
      assert.deepEqual(job.payload, {});
      assert.deepEqual((await spool.get(job.id))?.payload, {});
    });

    for (const payload of [null, [], [1, 2], "text", 42, true, new Date(0)]) {
      it(`refuses a payload of ${JSON.stringify(payload)} (not a JSON object)`, async () => {
        await rejectsField(
          () => spool.enqueue("t.job", payload as never),
          "payload",
          /must be a JSON object/,
        );
      });
    }

    const nested: [label: string, payload: unknown, field: string][] = [
      ["a function", { fn: () => 1 }, "payload.fn"],
      ["a BigInt", { big: 10n }, "payload.big"],
      ["NaN", { n: NaN }, "payload.n"],
      ["Infinity", { limits: { max: Infinity } }, "payload.limits.max"],
      ["a Date", { when: new Date() }, "payload.when"],
      ["a Map", { m: new Map([["k", 1]]) }, "payload.m"],
      ["a circular reference", circular(), "payload.self"],
      ["undefined inside an array", { list: [1, undefined] }, "payload.list.1"],
    ];
    for (const [label, payload, field] of nested) {
      it(`refuses ${label}, naming ${field}`, async () => {
        await rejectsField(
          () => spool.enqueue("t.job", payload as never),
          field,
          /not representable as JSON/,
        );
      });
    }

    it("refuses a payload over maxPayloadBytes", async () => {
      const small = await Spool.open({
        url: tempSqliteUrl(),
        maintenance: false,
        maxPayloadBytes: 64,
      });
      try {
        await small.enqueue("t.job", { s: "x".repeat(50) }); // 60 bytes: fits
        await assert.rejects(
          () => small.enqueue("t.job", { s: "x".repeat(60) }),
          (error) => isValidationError(error, "payload", /larger than 64 bytes/),
        );
        await assert.rejects(
          () => small.enqueueMany([{ type: "t.job", payload: { s: "é".repeat(40) } }]),
          (error) => isValidationError(error, "jobs[0].payload", /larger than 64 bytes/),
        );
        assert.equal((await small.stats()).totalJobs, 1);
      } finally {
        await small.close();
      }
    });
  });

  describe("enqueue: options", () => {
    for (const priority of [-1001, 1001, 1.5, "5", NaN]) {
      it(`refuses priority ${String(priority)}`, async () => {
        await rejectsField(() => spool.enqueue("t.job", {}, { priority } as never), "priority");
      });
    }

    it("accepts the priority bounds −1000 and 1000", async () => {
      await spool.enqueue("t.job", {}, { priority: -1000 });
      await spool.enqueue("t.job", {}, { priority: 1000 });
      assert.equal((await spool.stats()).totalJobs, 3);
    });

    it("refuses a negative delay", async () => {
      await rejectsField(() => spool.enqueue("t.job", {}, { delay: -1 }), "delay", /between 0/);
    });

    it("refuses delay and runAt together", async () => {
      await rejectsField(
        () => spool.enqueue("t.job", {}, { delay: 1_000, runAt: new Date(Date.now() + 1_000) }),
        "delay",
        /cannot be combined with runAt/,
      );
    });

    it("refuses an invalid Date, or a runAt that is not a Date", async () => {
      await rejectsField(
        () => spool.enqueue("t.job", {}, { runAt: new Date("tomorrow") }),
        "runAt",
        /valid Date/,
      );
      await rejectsField(
        () => spool.enqueue("t.job", {}, { runAt: Date.now() + 1_000 } as never),
        "runAt",
        /valid Date/,
      );
    });

    it("refuses maxAttempts 0", async () => {
      await rejectsField(() => spool.enqueue("t.job", {}, { maxAttempts: 0 }), "maxAttempts");
    });

    it("refuses timeout 0", async () => {
      await rejectsField(() => spool.enqueue("t.job", {}, { timeout: 0 }), "timeout");
    });

    it("refuses an unknown option name (typo delayMs)", async () => {
      await rejectsField(
        () => spool.enqueue("t.job", {}, { delayMs: 5_000 } as never),
        "delayMs",
        /not a known option/,
      );
    });

    it("refuses too many tags, and names a bad tag by index", async () => {
      const tags = Array.from({ length: 33 }, (_, i) => `tag${i}`);
      await rejectsField(() => spool.enqueue("t.job", {}, { tags }), "tags", /at most 32/);
      await rejectsField(() => spool.enqueue("t.job", {}, { tags: ["ok", ""] }), "tags[1]");
      await rejectsField(() => spool.enqueue("t.job", {}, { tags: ["ok", 5] } as never), "tags[1]");
    });

    it("refuses a bad uniqueKey, webhookUrl, tenant and backoff", async () => {
      await rejectsField(() => spool.enqueue("t.job", {}, { uniqueKey: "" }), "uniqueKey");
      await rejectsField(
        () => spool.enqueue("t.job", {}, { webhookUrl: "ftp://example.com" }),
        "webhookUrl",
      );
      await rejectsField(() => spool.enqueue("t.job", {}, { tenant: "a tenant" }), "tenant");
      await rejectsField(
        () => spool.enqueue("t.job", {}, { backoff: { baseMs: -1 } }),
        "backoff.baseMs",
      );
    });

    for (const options of ["fast", 5, true, [{ queue: "q" }]]) {
      it(`refuses options ${JSON.stringify(options)} (not an object)`, async () => {
        await rejectsField(
          () => spool.enqueue("t.job", {}, options as never),
          "options",
          /must be an object/,
        );
      });
    }

    it("refuses a transaction client on a store that cannot use one", async () => {
      await rejectsField(
        () => spool.enqueue("t.job", {}, { client: {} } as never),
        "client",
        /cannot enqueue inside the caller's transaction/,
      );
    });
  });

  describe("enqueueMany", () => {
    const ok = (n: number): EnqueueRequest => ({ type: "t.job", payload: { n } });

    it("(control) a valid batch writes every job", async () => {
      const jobs = await spool.enqueueMany([ok(1), ok(2), ok(3)]);
      assert.equal(jobs.length, 3);
      assert.equal((await spool.stats()).totalJobs, 4);
    });

    it("refuses a batch that is not an array", async () => {
      await rejectsField(() => spool.enqueueMany("jobs" as never), "jobs", /must be an array/);
      await rejectsField(() => spool.enqueueMany({ 0: ok(1) } as never), "jobs");
    });

    it("names the bad job by index and writes none of the batch", async () => {
      await rejectsField(
        () => spool.enqueueMany([ok(1), ok(2), { type: "t.job", queue: "BAD" }]),
        "jobs[2].queue",
        /must match/,
      );
      const { jobs } = await spool.list({ type: "t.job" });
      assert.deepEqual(jobs, [], "no job of the batch exists");
    });

    const bad: [label: string, job: unknown, field: string][] = [
      ["a bad type", { type: "bad type" }, "jobs[1].type"],
      ["a missing type", { payload: {} }, "jobs[1].type"],
      ["a null payload", { type: "t.job", payload: null }, "jobs[1].payload"],
      [
        "a function in the payload",
        { type: "t.job", payload: { f: () => 1 } },
        "jobs[1].payload.f",
      ],
      [
        "a BigInt deep in the payload",
        { type: "t.job", payload: { a: [{ b: 1n }] } },
        "jobs[1].payload.a.0.b",
      ],
      ["priority 1001", { type: "t.job", priority: 1001 }, "jobs[1].priority"],
      ["a negative delay", { type: "t.job", delay: -5 }, "jobs[1].delay"],
      ["an unknown option", { type: "t.job", delayMs: 5 }, "jobs[1].delayMs"],
      ["a bad tag", { type: "t.job", tags: ["a", "b", ""] }, "jobs[1].tags[2]"],
      ["a job that is not an object", 7, "jobs[1]"],
      ["a null job", null, "jobs[1]"],
    ];
    for (const [label, job, field] of bad) {
      it(`refuses ${label} as ${field}, writing nothing`, async () => {
        await rejectsField(() => spool.enqueueMany([ok(1), job as never, ok(3)]), field);
        assert.deepEqual((await spool.list({ type: "t.job" })).jobs, []);
      });
    }

    it("reports the first bad job when several are bad", async () => {
      await rejectsField(
        () => spool.enqueueMany([ok(1), ok(2), { type: "t.job", priority: 5000 }, { type: "" }]),
        "jobs[2].priority",
      );
    });
  });

  describe("get", () => {
    it("returns null for an unknown but valid id", async () => {
      assert.equal(await spool.get(uuidv7(Date.now())), null);
      assert.equal(await spool.get("00000000-0000-4000-8000-000000000000"), null);
    });

    it("finds a job by its id written in upper case (UUIDs are case-insensitive)", async () => {
      const job = await spool.get(seed.id.toUpperCase());
      assert.equal(job?.id, seed.id);
    });

    for (const id of ["not-a-uuid", "", "123", `${"0".repeat(36)}`, 42, undefined, null]) {
      it(`refuses a malformed id ${JSON.stringify(id)}`, async () => {
        await rejectsField(() => spool.get(id as never), "id", /UUID/);
      });
    }

    it("refuses a bad tenant", async () => {
      await rejectsField(() => spool.get(seed.id, { tenant: "no spaces allowed" }), "tenant");
    });
  });

  describe("list", () => {
    for (const limit of [0, 1001, 1.5, "10", -1]) {
      it(`refuses limit ${JSON.stringify(limit)}`, async () => {
        await rejectsField(() => spool.list({ limit } as never), "limit");
      });
    }

    it("refuses an unknown status filter", async () => {
      await rejectsField(() => spool.list({ status: "done" }), "status", /unknown status "done"/);
      await rejectsField(() => spool.list({ status: ["queued", "nope"] }), "status", /"nope"/);
      await rejectsField(() => spool.list({ status: "queued,nope" }), "status", /"nope"/);
      await rejectsField(() => spool.list({ status: 42 } as never), "status");
      await rejectsField(() => spool.list({ status: [7] } as never), "status");
    });

    it("accepts pending as an alias of queued", async () => {
      const other = await spool.enqueue("t.job", {});
      const running = await claim(); // the seed (older) is claimed first
      assert.equal(running.id, seed.id);
      for (const status of ["pending", "PENDING", " pending ", ["pending"]]) {
        const { jobs } = await spool.list({ status } as never);
        assert.deepEqual(
          jobs.map((job) => job.id),
          [other.id],
          `status ${JSON.stringify(status)}`,
        );
      }
      const both = await spool.list({ status: "pending,running" });
      assert.deepEqual(both.jobs.map((job) => job.id).sort(), [other.id, seed.id].sort());
    });

    it("refuses bad queue, type, tag, tenant and cursor filters", async () => {
      await rejectsField(() => spool.list({ queue: "BAD" }), "queue");
      await rejectsField(() => spool.list({ type: "bad type" }), "type");
      await rejectsField(() => spool.list({ tag: "" }), "tag");
      await rejectsField(() => spool.list({ tenant: "a b" }), "tenant");
      await rejectsField(() => spool.list({ cursor: 42 } as never), "cursor");
      await rejectsField(() => spool.list({ cursor: "not-a-cursor" }), "cursor");
    });
  });

  describe("cancel", () => {
    it("refuses a malformed id", async () => {
      await rejectsField(() => spool.cancel("nope"), "id");
      await rejectsField(() => spool.cancel(42 as never), "id");
    });

    it("throws SpoolNotFoundError for an unknown id", async () => {
      const error = await rejectsWith(() => spool.cancel(uuidv7(Date.now())), SpoolNotFoundError);
      assert.equal((error as SpoolError).code, "not_found");
    });

    it("throws SpoolConflictError for a completed job and leaves it completed", async () => {
      const done = await completedJob();
      const error = await rejectsWith(() => spool.cancel(done.id), SpoolConflictError);
      assert.ok(!(error instanceof SpoolValidationError));
      assert.deepEqual(await spool.get(done.id), done);
    });

    it("throws SpoolConflictError for a job already cancelled or failed", async () => {
      const cancelled = await spool.cancel(seed.id);
      assert.equal(cancelled.status, "cancelled");
      await rejectsWith(() => spool.cancel(seed.id), SpoolConflictError);
      assert.deepEqual(await spool.get(seed.id), cancelled);

      await spool.enqueue("t.job", {});
      const failed = await failedJob();
      await rejectsWith(() => spool.cancel(failed.id), SpoolConflictError);
      assert.deepEqual(await spool.get(failed.id), failed);
    });

    it("refuses a bad tenant", async () => {
      await rejectsField(() => spool.cancel(seed.id, { tenant: "" }), "tenant");
      assert.equal((await spool.get(seed.id))?.status, "queued");
    });
  });

  describe("retry", () => {
    it("refuses a malformed id", async () => {
      await rejectsField(() => spool.retry("123e4567"), "id");
    });

    it("throws SpoolNotFoundError for an unknown id", async () => {
      await rejectsWith(() => spool.retry(uuidv7(Date.now())), SpoolNotFoundError);
    });

    it("throws SpoolConflictError for a queued job and leaves it queued", async () => {
      const before = await spool.get(seed.id);
      assert.equal(before?.status, "queued");
      const error = await rejectsWith(() => spool.retry(seed.id), SpoolConflictError);
      assert.ok(error instanceof InvalidTransitionError);
      assert.equal(error.from, "queued");
      assert.equal(error.to, "queued");
      assert.deepEqual(await spool.get(seed.id), before);
    });

    it("throws SpoolConflictError for a running or completed job", async () => {
      const running = await claim();
      const before = await spool.get(running.id);
      await rejectsWith(() => spool.retry(running.id), SpoolConflictError);
      assert.deepEqual(await spool.get(running.id), before);

      await spool.enqueue("t.job", {});
      const done = await completedJob();
      await rejectsWith(() => spool.retry(done.id), SpoolConflictError);
      assert.deepEqual(await spool.get(done.id), done);
    });

    it("(control) retries a failed job", async () => {
      const failed = await failedJob();
      const retried = await spool.retry(failed.id);
      assert.equal(retried.status, "queued");
      assert.equal(retried.attempt, 0);
    });
  });

  describe("stats", () => {
    it("refuses a bad queue or tenant", async () => {
      await rejectsField(() => spool.stats({ queue: "Nope!" }), "queue");
      await rejectsField(() => spool.stats({ tenant: "a b" }), "tenant");
    });
  });

  describe("updateQueue, pauseQueue, resumeQueue", () => {
    it("refuses a bad queue name", async () => {
      await rejectsField(() => spool.pauseQueue("BAD"), "queue");
      await rejectsField(() => spool.resumeQueue(""), "queue");
      await rejectsField(() => spool.updateQueue("q".repeat(65), { paused: true }), "queue");
      await rejectsField(() => spool.pauseQueue(5 as never), "queue");
    });

    const patches: [label: string, patch: unknown, field: string][] = [
      ["concurrency 0", { concurrency: 0 }, "concurrency"],
      ["concurrency 1.5", { concurrency: 1.5 }, "concurrency"],
      ["concurrency as a string", { concurrency: "4" }, "concurrency"],
      ["timeoutMs 0", { timeoutMs: 0 }, "timeoutMs"],
      ["maxAttempts 1001", { maxAttempts: 1001 }, "maxAttempts"],
      ["a negative backoffBaseMs", { backoffBaseMs: -1 }, "backoffBaseMs"],
      ["paused as a string", { paused: "yes" }, "paused"],
      ["an unknown setting", { concurency: 5 }, "concurency"],
      ["the name", { name: "other" }, "name"],
      ["a valid setting with a bad one", { paused: true, concurrency: -1 }, "concurrency"],
      ["no patch", null, "patch"],
    ];
    for (const [label, patch, field] of patches) {
      it(`refuses ${label}, creating no queue row`, async () => {
        await rejectsField(() => spool.updateQueue("emails", patch as never), field);
        assert.deepEqual(
          (await spool.queues()).filter((queue) => queue.name === "emails"),
          [],
        );
      });
    }

    it("(control) a valid patch creates the queue row", async () => {
      await spool.updateQueue("emails", { concurrency: 2 });
      const emails = (await spool.queues()).find((queue) => queue.name === "emails");
      assert.equal(emails?.concurrency, 2);
    });
  });

  describe("worker options", () => {
    const bad: [label: string, options: unknown, field: string][] = [
      ["concurrency 0", { handlers, concurrency: 0 }, "concurrency"],
      ["concurrency 1.5", { handlers, concurrency: 1.5 }, "concurrency"],
      ["concurrency as a string", { handlers, concurrency: "10" }, "concurrency"],
      ["no queues", { handlers, queues: [] }, "queues"],
      ["queues as a string", { handlers, queues: "default" }, "queues"],
      ["a bad queue name", { handlers, queues: ["ok", "NOT-OK"] }, "queues[1]"],
      ["no handlers", {}, "handlers"],
      ["a handler that is not a function", { handlers: { "t.job": 42 } }, "handlers.t.job"],
      ["leaseMs 50", { handlers, leaseMs: 50 }, "leaseMs"],
      ["batchSize 0", { handlers, batchSize: 0 }, "batchSize"],
      ["a negative shutdownGraceMs", { handlers, shutdownGraceMs: -1 }, "shutdownGraceMs"],
      ["a bad name", { handlers, name: "my worker" }, "name"],
      ["an unknown option (typo concurency)", { handlers, concurency: 5 }, "concurency"],
    ];
    for (const [label, options, field] of bad) {
      it(`refuses ${label}`, async () => {
        const before = await snapshot();
        assert.throws(
          () => spool.worker(options as WorkerOptions),
          (error) => isValidationError(error, field),
        );
        assert.deepEqual(await snapshot(), before);
      });
    }
  });
});

describe("Spool.open validation", () => {
  /** `options` (plus a fresh url) is refused naming `field`, and no database file is created. */
  async function refusesOpen(options: SpoolOptions, field: string, why?: RegExp): Promise<void> {
    const file = join(tempDir(), "spool.db");
    await assert.rejects(
      () => Spool.open({ url: `sqlite:${file}`, maintenance: false, ...options }),
      (error) => isValidationError(error, field, why),
    );
    assert.equal(existsSync(file), false, "a refused open created the database");
  }

  it("refuses a bad url", async () => {
    await assert.rejects(
      () => Spool.open({ url: "", maintenance: false }),
      (e) => isValidationError(e, "url"),
    );
    await assert.rejects(
      () => Spool.open({ url: 42 as never, maintenance: false }),
      (e) => isValidationError(e, "url"),
    );
    await assert.rejects(
      () => Spool.open({ url: "sqlite:", maintenance: false }),
      (e) => isValidationError(e, "url", /file path/),
    );
    await assert.rejects(
      () => Spool.open({ url: "mysql://user:secret@db/spool", maintenance: false }),
      (e) => isValidationError(e, "url", /unsupported store URL/) && !/secret/.test(String(e)),
    );
  });

  it("refuses bad limits", async () => {
    await refusesOpen({ maxPayloadBytes: 1 }, "maxPayloadBytes");
    await refusesOpen({ maxPayloadBytes: "1mb" as never }, "maxPayloadBytes");
    await refusesOpen({ maxResultBytes: 1.5 }, "maxResultBytes");
  });

  it("refuses bad nested options, naming the nested path", async () => {
    await refusesOpen({ maintenance: { rescueIntervalMs: 1 } }, "maintenance.rescueIntervalMs");
    await refusesOpen({ retention: { completedMs: -1 } }, "retention.completedMs");
    await refusesOpen({ storeTuning: { poolSize: 0 } }, "storeTuning.poolSize");
    await refusesOpen({ storeTuning: { schema: "Bad-Schema" } }, "storeTuning.schema");
  });

  it("refuses options of the wrong kind", async () => {
    await refusesOpen({ migrate: "yes" as never }, "migrate");
    await refusesOpen({ clock: {} as never }, "clock");
    await refusesOpen({ random: 0.5 as never }, "random");
    await refusesOpen({ logger: console.log as never }, "logger");
  });

  it("refuses an unknown option, naming it (typo maxPayloadByte)", async () => {
    await refusesOpen({ maxPayloadByte: 10 } as never, "maxPayloadByte");
  });
});
