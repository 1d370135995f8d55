/**
 * Traffic control across real worker processes (SPEC §7), on SQLite and on PostgreSQL. Two
 * worker processes (test/helpers/worker-process.ts) log each execution's start and end with
 * their own clock; the proofs come from those logs:
 *
 *   * a rate limit of 50 starts/s holds within 10 % over 10 s (after the bucket's first burst);
 *   * keyed concurrency 3: never more than 3 running per key;
 *   * fairness: tenant A submits 5,000 jobs, then tenant B submits 10; all of B's jobs start
 *     before A has started 100 more (equal weights).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { Spool } from "../../src/index.js";
import { readExecutions, type Execution } from "../helpers/execution-log.js";
import { createSchemaFixture } from "../helpers/postgres.js";
import { helperPath, spawnTs, stopChild, waitForLine } from "../helpers/processes.js";
import { tempDir, tempSqliteUrl } from "../helpers/temp-dir.js";
import { waitFor } from "../helpers/wait-for.js";
import type { WorkerProcessConfig } from "../helpers/worker-process.js";

interface Database {
  url: string;
  schema?: string;
  drop(): Promise<void>;
}

const STORES: Record<string, () => Database> = {
  sqlite: () => ({ url: tempSqliteUrl(), drop: async () => undefined }),
  postgres: () => {
    const fixture = createSchemaFixture();
    return { url: fixture.url, schema: fixture.schema, drop: () => fixture.drop() };
  },
};

for (const [name, create] of Object.entries(STORES)) {
  describe(`traffic control across worker processes (${name})`, () => {
    const children: ReturnType<typeof spawnTs>[] = [];
    let database: Database | undefined;
    let spool: Spool | undefined;

    afterEach(async () => {
      // Gracefully: a SIGKILLed worker's PostgreSQL session can still hold locks while the
      // schema is dropped (a deadlock in DROP SCHEMA).
      await Promise.all(children.splice(0).map((child) => stopChild(child, "SIGTERM")));
      await spool?.close();
      await database?.drop();
      spool = undefined;
      database = undefined;
    });

    const open = async (): Promise<Spool> => {
      database = create();
      spool = await Spool.open({
        url: database.url,
        ...(database.schema === undefined ? {} : { storeTuning: { schema: database.schema } }),
        maintenance: false,
      });
      return spool;
    };
    const startWorkers = async (
      queue: string,
      config: Partial<WorkerProcessConfig> = {},
    ): Promise<string[]> => {
      const dir = tempDir();
      const logs = [0, 1].map((i) => join(dir, `w${i}.log`));
      const started = logs.map((logPath, i) => {
        const child = spawnTs(helperPath("worker-process.ts"), {
          SPOOL_TEST_WORKER: JSON.stringify({
            url: database!.url,
            ...(database!.schema === undefined ? {} : { schema: database!.schema }),
            logPath,
            name: `w${i}`,
            concurrency: 10,
            leaseMs: 10_000,
            queues: [queue],
            ...config,
          } satisfies WorkerProcessConfig),
        });
        children.push(child);
        return child;
      });
      await Promise.all(started.map((child) => waitForLine(child, "ready")));
      return logs;
    };
    const starts = (logs: readonly string[]): Execution[] =>
      [...readExecutions(logs).values()].flat().sort((a, b) => a.startMs - b.startMs);
    const submit = (queue: string, n: number, extra: (i: number) => object = () => ({})) =>
      spool!.enqueueMany(
        Array.from({ length: n }, (_, i) => ({ type: "crash.job", queue, ...extra(i) })),
      );

    it("a rate limit of 50 starts/s holds within 10 % over 10 s across two processes", async (t) => {
      const spool = await open();
      await spool.updateQueue("rated", { rateLimit: { limit: 50, periodMs: 1_000 } });
      await submit("rated", 800);
      const logs = await startWorkers("rated", { maxDelayMs: 5 });
      await waitFor(
        () => {
          const all = starts(logs);
          return all.length > 0 && all[all.length - 1]!.startMs >= all[0]!.startMs + 11_500;
        },
        { timeoutMs: 60_000, intervalMs: 100 },
      );
      const all = starts(logs);
      const t0 = all[0]!.startMs;
      assert.equal(new Set(all.map((e) => e.pid)).size, 2, "both processes started jobs");
      // After the first second (the bucket starts full: a burst of up to 50), every 10 s window.
      for (let from = t0 + 1_000; from <= t0 + 1_500; from += 100) {
        const inWindow = all.filter((e) => e.startMs >= from && e.startMs < from + 10_000).length;
        assert.ok(
          inWindow >= 450 && inWindow <= 550,
          `${inWindow} starts in 10 s from +${from - t0} ms`,
        );
      }
      const steady = all.filter((e) => e.startMs >= t0 + 1_000 && e.startMs < t0 + 11_000).length;
      const perSecond = Array.from(
        { length: 12 },
        (_, i) =>
          all.filter((e) => e.startMs >= t0 + i * 1_000 && e.startMs < t0 + (i + 1) * 1_000).length,
      );
      t.diagnostic(
        `${steady} starts from +1 s to +11 s (limit 50/s: 500); per second ${perSecond.join(" ")}`,
      );
      const firstSecond = all.filter((e) => e.startMs < t0 + 1_000).length;
      // The bucket starts full: 50 at once, then 50 more over the second (+10 %).
      assert.ok(firstSecond <= 110, `${firstSecond} starts in the first second (burst + rate)`);
    });

    it("keyed concurrency 3: never more than 3 running per key across two processes", async (t) => {
      const spool = await open();
      await spool.updateQueue("keyed", { keyConcurrency: 3 });
      const jobs = await submit("keyed", 90, (i) => ({ concurrencyKey: `user-${i % 3}` }));
      const keyOf = new Map(jobs.map((job) => [job.id, job.concurrencyKey!]));
      const logs = await startWorkers("keyed", { maxDelayMs: 40 });
      await waitFor(() => starts(logs).filter((e) => e.endMs !== null).length === 90, {
        timeoutMs: 60_000,
        intervalMs: 100,
      });
      const events = starts(logs).flatMap((e) => [
        { at: e.startMs, delta: 1, key: keyOf.get(e.jobId)! },
        { at: e.endMs!, delta: -1, key: keyOf.get(e.jobId)! },
      ]);
      // Ends before starts at the same ms: the end line is written before the job's completion.
      events.sort((a, b) => a.at - b.at || a.delta - b.delta);
      const running = new Map<string, number>();
      const peak = new Map<string, number>();
      for (const event of events) {
        const n = (running.get(event.key) ?? 0) + event.delta;
        running.set(event.key, n);
        peak.set(event.key, Math.max(peak.get(event.key) ?? 0, n));
      }
      t.diagnostic(`peak running per key: ${JSON.stringify(Object.fromEntries(peak))}`);
      for (const key of ["user-0", "user-1", "user-2"]) {
        assert.ok((peak.get(key) ?? 0) <= 3, `${key}: ${peak.get(key)} at once`);
        assert.ok((peak.get(key) ?? 0) >= 2, `${key} ran in parallel at all (${peak.get(key)})`);
      }
    });

    it("fairness: B's 10 jobs all start before A, with 5,000 queued, starts 100 more", async (t) => {
      await open();
      const a: string[] = [];
      for (let i = 0; i < 5; i += 1)
        a.push(...(await submit("shared", 1_000, () => ({ tenant: "tenant-a" }))).map((j) => j.id));
      const aIds = new Set(a);
      const logs = await startWorkers("shared", { maxDelayMs: 5 });
      await waitFor(() => starts(logs).length >= 200, { timeoutMs: 60_000, intervalMs: 100 });
      const b = (await submit("shared", 10, () => ({ tenant: "tenant-b" }))).map((j) => j.id);
      const submittedAt = Date.now();
      const bIds = new Set(b);
      await waitFor(() => starts(logs).filter((e) => bIds.has(e.jobId)).length === 10, {
        timeoutMs: 60_000,
        intervalMs: 100,
      });
      const all = starts(logs);
      const lastB = Math.max(...all.filter((e) => bIds.has(e.jobId)).map((e) => e.startMs));
      const aMeanwhile = all.filter(
        (e) => aIds.has(e.jobId) && e.startMs >= submittedAt && e.startMs <= lastB,
      ).length;
      const aLeft = 5_000 - all.filter((e) => aIds.has(e.jobId) && e.startMs <= lastB).length;
      t.diagnostic(`A started ${aMeanwhile} while B's 10 started; A had ${aLeft} left`);
      assert.ok(aLeft > 1_000, `A still had a backlog (${aLeft} waiting)`);
      assert.ok(aMeanwhile < 100, `A started ${aMeanwhile} jobs while B's 10 waited`);
    });
  });
}
