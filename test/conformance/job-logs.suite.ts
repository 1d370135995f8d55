/**
 * Conformance of job logs (SPEC §8 "Job logs"): appends fenced by the lease token and tagged
 * with the attempt, the per-job cap (newest lines kept, the dropped ones counted), paged and
 * per-attempt reads, tenant isolation, and logs deleted with their job. Called from
 * `defineStoreConformance`, so every store runs it unchanged.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ClaimedJob } from "../../src/core/job.js";
import type { JobLogLineInput } from "../../src/core/job-logs.js";
import type { EnqueueOptions } from "../../src/core/options.js";
import type { Store } from "../../src/store/store.js";
import { jobInput } from "../helpers/factories.js";
import type { FakeClock } from "../helpers/fake-clock.js";
import { failOneJob } from "../../src/store/shared/failed-attempts.js";

const LEASE_MS = 30_000;
const KEEP = 1_000;

/** Defines the job-log tests; `fixtures()` returns the current test's store and clock. */
export function defineJobLogsConformance(fixtures: () => { store: Store; clock: FakeClock }): void {
  const store = (): Store => fixtures().store;
  const now = (): number => fixtures().clock.now();
  const lines = (...messages: string[]): JobLogLineInput[] =>
    messages.map((message) => ({ message, level: "info", at: now() }));
  const claimed = async (options: EnqueueOptions & { id?: string } = {}): Promise<ClaimedJob> => {
    await store().enqueueJobs({ jobs: [jobInput(now(), options)], now: now() });
    const [job] = await store().claimJobs({
      queues: ["default"],
      workerId: "w1",
      limit: 1,
      leaseMs: LEASE_MS,
      now: now(),
    });
    assert.ok(job, "expected a job to claim");
    return job;
  };
  const append = (job: ClaimedJob, messages: string[], keepLines = KEEP, skipped?: number) =>
    store().appendJobLogs({
      entries: [
        {
          id: job.id,
          leaseToken: job.leaseToken,
          lines: lines(...messages),
          ...(skipped === undefined ? {} : { skipped }),
        },
      ],
      keepLines,
      now: now(),
    });
  const read = (id: string, extra: { attempt?: number; afterSeq?: number; limit?: number } = {}) =>
    store().readJobLogs({ id, afterSeq: 0, limit: 100, ...extra });
  const messages = async (id: string): Promise<string[]> =>
    ((await read(id))?.lines ?? []).map((line) => line.message);

  describe("job logs", () => {
    it("stores lines under the lease with their attempt, level and time, in order", async () => {
      const job = await claimed();
      const at = now();
      const [outcome] = await store().appendJobLogs({
        entries: [
          {
            id: job.id,
            leaseToken: job.leaseToken,
            lines: [
              { message: "starting", level: "info", at },
              { message: "careful", level: "warn", at: at + 1 },
            ],
          },
        ],
        keepLines: KEEP,
        now: now(),
      });
      assert.deepEqual(outcome, { id: job.id, ok: true, lastSeq: 2 });
      await append(job, ["third"]);
      const page = await read(job.id);
      assert.deepEqual(page, {
        lines: [
          { seq: 1, attempt: 1, level: "info", message: "starting", at: new Date(at) },
          { seq: 2, attempt: 1, level: "warn", message: "careful", at: new Date(at + 1) },
          { seq: 3, attempt: 1, level: "info", message: "third", at: new Date(at) },
        ],
        hasMore: false,
        droppedLines: 0,
      });
    });

    it("a stale lease token writes nothing, also in a batch with a good one", async () => {
      const job = await claimed();
      const other = await claimed();
      const outcomes = await store().appendJobLogs({
        entries: [
          { id: job.id, leaseToken: "stale-token", lines: lines("forged") },
          { id: other.id, leaseToken: other.leaseToken, lines: lines("fine") },
          { id: "not-a-uuid", leaseToken: "x", lines: lines("nope") },
        ],
        keepLines: KEEP,
        now: now(),
      });
      assert.deepEqual(outcomes, [
        { id: job.id, ok: false },
        { id: other.id, ok: true, lastSeq: 1 },
        { id: "not-a-uuid", ok: false },
      ]);
      assert.deepEqual(await messages(job.id), []);
      assert.deepEqual(await messages(other.id), ["fine"]);
    });

    it("once the attempt is over, its token can no longer write", async () => {
      const job = await claimed();
      await store().completeJobs({
        completions: [{ id: job.id, leaseToken: job.leaseToken, resultJson: null }],
        now: now(),
      });
      assert.deepEqual(await append(job, ["late"]), [{ id: job.id, ok: false }]);
      assert.deepEqual(await read(job.id), { lines: [], hasMore: false, droppedLines: 0 });
    });

    it("tags lines with their attempt: two attempts, two groups", async () => {
      const first = await claimed({ maxAttempts: 2 });
      await append(first, ["a1-one", "a1-two"]);
      await failOneJob(store(), {
        id: first.id,
        leaseToken: first.leaseToken,
        error: { message: "boom", type: "Error", attempt: 1 },
        outcome: { status: "retrying", runAt: now() },
        now: now(),
      });
      assert.deepEqual(await append(first, ["stale"]), [{ id: first.id, ok: false }]);
      const [second] = await store().claimJobs({
        queues: ["default"],
        workerId: "w2",
        limit: 1,
        leaseMs: LEASE_MS,
        now: now(),
      });
      assert.equal(second?.attempt, 2);
      await append(second!, ["a2-one"]);
      const all = (await read(first.id))!.lines.map((l) => [l.attempt, l.seq, l.message]);
      assert.deepEqual(all, [
        [1, 1, "a1-one"],
        [1, 2, "a1-two"],
        [2, 3, "a2-one"],
      ]);
      const secondOnly = await read(first.id, { attempt: 2 });
      assert.deepEqual(
        secondOnly?.lines.map((l) => l.message),
        ["a2-one"],
      );
      assert.deepEqual((await read(first.id, { attempt: 3 }))?.lines, []);
    });

    it("keeps the newest lines of a job and counts the dropped ones", async () => {
      const job = await claimed();
      await append(job, ["1", "2", "3"], 4);
      await append(job, ["4", "5", "6"], 4);
      assert.deepEqual(await messages(job.id), ["3", "4", "5", "6"]);
      assert.equal((await read(job.id))?.droppedLines, 2);
      // One call with more lines than the cap keeps its newest; skipped lines count as dropped.
      const [outcome] = await append(job, ["7", "8", "9", "10", "11"], 4, 3);
      assert.deepEqual(outcome, { id: job.id, ok: true, lastSeq: 14 });
      const page = await read(job.id);
      assert.deepEqual(
        page?.lines.map((l) => [l.seq, l.message]),
        [
          [11, "8"],
          [12, "9"],
          [13, "10"],
          [14, "11"],
        ],
      );
      assert.equal(page?.droppedLines, 10);
    });

    it("enforces a cap of 1,000 lines per job", async () => {
      const job = await claimed();
      const many = Array.from({ length: 600 }, (_, i) => `line ${i + 1}`);
      await append(job, many);
      await append(
        job,
        many.map((_, i) => `line ${i + 601}`),
      );
      const first = await read(job.id, { limit: 1_000 });
      assert.equal(first?.lines.length, 1_000);
      assert.equal(first?.lines[0]?.message, "line 201");
      assert.equal(first?.lines.at(-1)?.message, "line 1200");
      assert.equal(first?.droppedLines, 200);
    });

    it("pages after a line number", async () => {
      const job = await claimed();
      await append(job, ["a", "b", "c", "d", "e"]);
      const page1 = await read(job.id, { limit: 2 });
      assert.deepEqual(
        page1?.lines.map((l) => l.message),
        ["a", "b"],
      );
      assert.equal(page1?.hasMore, true);
      const page2 = await read(job.id, { afterSeq: 2, limit: 3 });
      assert.deepEqual(
        page2?.lines.map((l) => l.message),
        ["c", "d", "e"],
      );
      assert.equal(page2?.hasMore, false);
      assert.deepEqual((await read(job.id, { afterSeq: 5 }))?.lines, []);
    });

    it("unknown jobs and other tenants' jobs have no log (null)", async () => {
      const job = await claimed({ tenant: "acme" });
      await append(job, ["secret"]);
      assert.equal(
        await store().readJobLogs({ id: job.id, tenant: "beta", afterSeq: 0, limit: 10 }),
        null,
      );
      assert.deepEqual(
        (
          await store().readJobLogs({ id: job.id, tenant: "acme", afterSeq: 0, limit: 10 })
        )?.lines.map((l) => l.message),
        ["secret"],
      );
      assert.equal(await read("0192f3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b"), null);
      assert.equal(await read("not-a-uuid"), null);
    });

    it("logs are deleted with their job by retention", async () => {
      const job = await claimed();
      await append(job, ["kept until the job goes"]);
      await store().completeJobs({
        completions: [{ id: job.id, leaseToken: job.leaseToken, resultJson: null }],
        now: now(),
      });
      fixtures().clock.advance(1_000);
      const pruned = await store().pruneFinishedJobs({
        completedBefore: now(),
        failedBefore: now(),
        cancelledBefore: now(),
        limit: 10,
      });
      assert.equal(pruned, 1);
      assert.equal(await read(job.id), null);
      // A new job with the same id starts with an empty log: the old lines are gone, not hidden.
      const again = await claimed({ id: job.id });
      assert.deepEqual(await read(again.id), { lines: [], hasMore: false, droppedLines: 0 });
      assert.deepEqual(await append(again, ["fresh"]), [{ id: job.id, ok: true, lastSeq: 1 }]);
    });
  });
}
