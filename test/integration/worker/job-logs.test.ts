/**
 * `ctx.log` (SPEC §8 "Job logs") over a real SQLite store: lines land per attempt (two
 * attempts, two groups), from in-process and sandboxed handlers; the per-job cap keeps the
 * newest lines; non-strings are refused and long lines cut; a job's last lines are written
 * before its outcome.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Spool, SpoolValidationError, type JobRecord, type Worker } from "../../../src/index.js";
import { MAX_LOG_LINE_CHARS } from "../../../src/core/limits.js";
import { createSandbox } from "../../../src/worker/sandbox.js";
import { tempSqliteUrl } from "../../helpers/temp-dir.js";
import { waitFor } from "../../helpers/wait-for.js";

const FIXTURE = fileURLToPath(new URL("./fixtures/log-handlers.ts", import.meta.url));

describe("job logs from handlers", () => {
  let spool: Spool;
  const workers: Worker[] = [];
  const cleanups: (() => void)[] = [];

  const startWorker = async (options: Parameters<Spool["worker"]>[0]): Promise<Worker> => {
    const worker = spool.worker({ pollIntervalMs: 50, ...options });
    workers.push(worker);
    await worker.start();
    return worker;
  };
  const finished = (id: string): Promise<JobRecord> =>
    waitFor(
      async () => {
        const job = await spool.get(id);
        return job !== null && ["completed", "failed", "cancelled"].includes(job.status)
          ? job
          : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 10 },
    );
  const grouped = async (id: string): Promise<Record<number, string[]>> => {
    const page = await spool.logs(id);
    assert.ok(page);
    const groups: Record<number, string[]> = {};
    for (const line of page.lines) (groups[line.attempt] ??= []).push(line.message);
    return groups;
  };

  beforeEach(async () => {
    spool = await Spool.open({
      url: tempSqliteUrl(),
      random: () => 0,
      maintenance: { rescueIntervalMs: 50, promoteIntervalMs: 20 },
    });
  });
  afterEach(async () => {
    const started = workers.splice(0);
    for (const worker of started) await worker.stop({ graceMs: 0 });
    for (const cleanup of cleanups.splice(0)) cleanup();
    await spool.close();
    for (const worker of started)
      assert.equal(worker.isRunning, false, "a worker was left running");
  });

  it("stores a handler's lines per attempt: two attempts, two groups", async () => {
    await startWorker({
      handlers: {
        "flaky.logs": (_job, ctx) => {
          ctx.log(`attempt ${ctx.attempt} starting`);
          ctx.log(`attempt ${ctx.attempt} detail`, { level: "debug" });
          if (ctx.attempt === 1) {
            ctx.log("about to fail", { level: "error" });
            throw new Error("first attempt fails");
          }
          ctx.log("done");
          return { ok: true };
        },
      },
    });
    const job = await spool.enqueue("flaky.logs", {}, { maxAttempts: 2 });
    assert.equal((await finished(job.id)).status, "completed");
    assert.deepEqual(await grouped(job.id), {
      1: ["attempt 1 starting", "attempt 1 detail", "about to fail"],
      2: ["attempt 2 starting", "attempt 2 detail", "done"],
    });
    const page = await spool.logs(job.id);
    assert.deepEqual(
      page?.lines.map((line) => [line.seq, line.level]),
      [
        [1, "info"],
        [2, "debug"],
        [3, "error"],
        [4, "info"],
        [5, "debug"],
        [6, "info"],
      ],
    );
    assert.equal(page?.droppedLines, 0);
    assert.equal(page?.nextAfter, 6);
    const second = await spool.logs(job.id, { attempt: 2, after: 4 });
    assert.deepEqual(
      second?.lines.map((line) => line.message),
      ["attempt 2 detail", "done"],
    );
    assert.ok(page!.lines.every((line) => line.at instanceof Date));
  });

  it("keeps the newest 1,000 lines of a chatty job and counts the rest as dropped", async () => {
    await startWorker({
      handlers: {
        chatty: async (_job, ctx) => {
          for (let i = 1; i <= 2_600; i++) {
            ctx.log(`line ${i}`);
            // Yield now and then so that some flushes happen mid-run, not only at the end.
            if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
          }
          return null;
        },
      },
    });
    const job = await spool.enqueue("chatty", {});
    await finished(job.id);
    const page = await spool.logs(job.id);
    assert.equal(page?.lines.length, 1_000);
    assert.equal(page?.lines[0]?.message, "line 1601");
    assert.equal(page?.lines.at(-1)?.message, "line 2600");
    assert.equal(page?.lines.at(-1)?.seq, 2_600);
    assert.equal(page?.droppedLines, 1_600);
  });

  it("refuses non-string messages and bad levels, cuts overlong lines", async () => {
    await startWorker({
      handlers: {
        strict: (_job, ctx) => {
          const refused: string[] = [];
          for (const call of [
            () => ctx.log(undefined as unknown as string),
            () => ctx.log("x", { level: "loud" as "info" }),
          ]) {
            try {
              call();
            } catch (error) {
              assert.ok(error instanceof SpoolValidationError);
              refused.push(error.field);
            }
          }
          ctx.log("y".repeat(MAX_LOG_LINE_CHARS + 500));
          return { refused };
        },
      },
    });
    const job = await spool.enqueue("strict", {});
    const done = await finished(job.id);
    assert.deepEqual(done.result, { refused: ["message", "level"] });
    const [line] = (await spool.logs(job.id))!.lines;
    assert.equal(line?.message.length, MAX_LOG_LINE_CHARS);
    assert.match(line!.message, /^y+… \[truncated\]$/);
  });

  it("sandboxed handlers log through the parent, per attempt", async () => {
    const sandbox = createSandbox(FIXTURE, ["sandboxed.logs"], { warm: 1 });
    cleanups.push(() => sandbox.close());
    await startWorker({ handlers: sandbox.handlers });
    const job = await spool.enqueue("sandboxed.logs", {}, { maxAttempts: 2 });
    const done = await finished(job.id);
    assert.equal(done.status, "completed");
    assert.match((done.result as { refused: string }).refused, /message: must be a string/);
    const groups = await grouped(job.id);
    assert.deepEqual(Object.keys(groups), ["1", "2"]);
    for (const attempt of [1, 2]) {
      assert.match(groups[attempt]![0]!, new RegExp(`^child \\d+ attempt ${attempt}$`));
      assert.notEqual(groups[attempt]![0], `child ${process.pid} attempt ${attempt}`);
      assert.equal(groups[attempt]![1], "something odd");
    }
    const levels = (await spool.logs(job.id))!.lines.map((line) => line.level);
    assert.deepEqual(levels, ["info", "warn", "info", "warn"]);
  });

  it("spool.logs checks its arguments and answers null for an unknown job", async () => {
    assert.equal(await spool.logs("0192f3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b"), null);
    await assert.rejects(
      spool.logs("nope"),
      (e) => e instanceof SpoolValidationError && e.field === "id",
    );
    const job = await spool.enqueue("t", {});
    for (const [options, field] of [
      [{ attempt: 0 }, "attempt"],
      [{ after: -1 }, "after"],
      [{ limit: 1_001 }, "limit"],
      [{ tenant: "bad tenant" }, "tenant"],
    ] as const) {
      await assert.rejects(
        spool.logs(job.id, options),
        (e) => e instanceof SpoolValidationError && e.field === field,
      );
    }
    assert.equal(await spool.logs(job.id, { tenant: "someone-else" }), null);
  });
});
