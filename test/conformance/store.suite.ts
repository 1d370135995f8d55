/**
 * The store conformance suite: every behaviour of the `Store` contract, written against the
 * interface only. Each store's `store.<dialect>.test.ts` runs it with a factory that returns a
 * fresh, migrated store. A behaviour without a test here does not exist.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import {
  LeaseLostError,
  QuotaExceededError,
  SpoolConflictError,
  SpoolNotFoundError,
} from "../../src/core/errors.js";
import { uuidv7 } from "../../src/core/ids.js";
import { MAX_ERROR_HISTORY } from "../../src/core/transitions.js";
import { TIMEOUT_GRACE_MS } from "../../src/core/job.js";
import type { ClaimedJob } from "../../src/core/job.js";
import type { Store } from "../../src/store/store.js";
import { jobInput } from "../helpers/factories.js";
import { FakeClock } from "../helpers/fake-clock.js";
import { nextEvent } from "../helpers/wait-for.js";
import { defineLeadershipConformance } from "./leadership.suite.js";
import { defineOldestWaitingConformance } from "./oldest-waiting.suite.js";
import { defineCountsConformance } from "./counts.suite.js";
import { defineRoutingConformance } from "./routing.suite.js";
import { defineTraceContextConformance } from "./trace-context.suite.js";
import { defineListByTagConformance } from "./list-by-tag.suite.js";
import { defineListFiltersConformance } from "./list-filters.suite.js";
import { defineWorkerRegistryConformance } from "./workers.suite.js";
import { defineTenantConformance } from "./tenants.suite.js";
import { defineTrafficConformance } from "./traffic.suite.js";
import { defineTransitionConformance } from "./transitions.suite.js";
import { defineJobLogsConformance } from "./job-logs.suite.js";
import { defineFlowConformance } from "./flows.suite.js";
import { defineScheduleConformance } from "./schedules.suite.js";
import { defineWebhookConformance } from "./webhooks.suite.js";
import { defineEventPayloadConformance } from "./event-payloads.suite.js";
import { failOneJob } from "../../src/store/shared/failed-attempts.js";

/** How a store joins the suite. */
export interface StoreConformanceOptions {
  name: string;
  /** A fresh, migrated store (its own file / schema). */
  create: () => Promise<Store>;
}

const LEASE_MS = 30_000;

/** Defines the suite for one store. */
export function defineStoreConformance(options: StoreConformanceOptions): void {
  // Every store runs every test: a store that cannot pass one fails it (no skip list).
  const test = (name: string, fn: () => Promise<void>): void => {
    it(name, fn);
  };

  describe(`store conformance: ${options.name}`, () => {
    let store: Store;
    let clock: FakeClock;

    beforeEach(async () => {
      store = await options.create();
      clock = new FakeClock();
    });
    afterEach(async () => {
      await store.close();
    });

    const enqueue = async (opts: Parameters<typeof jobInput>[1] = {}) => {
      const [outcome] = await store.enqueueJobs({
        jobs: [jobInput(clock.now(), opts)],
        now: clock.now(),
      });
      return outcome!.job;
    };
    const claim = (limit = 10, queues = ["default"], workerId = "w1", leaseMs = LEASE_MS) =>
      store.claimJobs({ queues, workerId, limit, leaseMs, now: clock.now() });
    const claimOne = async (queues = ["default"]): Promise<ClaimedJob> => {
      const [job] = await claim(1, queues);
      assert.ok(job, "expected a job to claim");
      return job;
    };

    describe("migrate", () => {
      test("is idempotent", async () => {
        const again = await store.migrate();
        assert.deepEqual(again.applied, []);
        assert.ok(again.version >= 1);
        await store.ping();
      });
    });

    describe("enqueueJobs", () => {
      test("inserts a queued job with defaults applied", async () => {
        const job = await enqueue({
          payload: { a: 1, nested: { b: [1, "x", null] } },
          tags: ["t1"],
        });
        assert.equal(job.status, "queued");
        const stored = await store.getJob({ id: job.id });
        assert.ok(stored);
        assert.equal(stored.id, job.id);
        assert.equal(stored.queue, "default");
        assert.equal(stored.tenant, "default");
        assert.equal(stored.type, "test.job");
        assert.deepEqual(stored.payload, { a: 1, nested: { b: [1, "x", null] } });
        assert.equal(stored.status, "queued");
        assert.equal(stored.priority, 0);
        assert.equal(stored.progress, 0);
        assert.equal(stored.attempt, 0);
        assert.equal(stored.maxAttempts, 3);
        assert.equal(stored.timeout, 300_000);
        assert.deepEqual(stored.backoff, { baseMs: 1_000, capMs: 3_600_000 });
        assert.deepEqual(stored.tags, ["t1"]);
        assert.equal(stored.result, null);
        assert.equal(stored.error, null);
        assert.deepEqual(stored.errors, []);
        assert.equal(stored.createdAt.getTime(), clock.now());
        assert.equal(stored.runAt.getTime(), clock.now());
        assert.equal(stored.startedAt, null);
        assert.equal(stored.completedAt, null);
        assert.deepEqual(stored, job);
      });

      test("a future runAt makes the job scheduled", async () => {
        const job = await enqueue({ delay: 5_000 });
        assert.equal(job.status, "scheduled");
        assert.equal((await store.getJob({ id: job.id }))?.runAt.getTime(), clock.now() + 5_000);
      });

      test("readJobResults: the results of completed jobs only, by id", async () => {
        const waiting = await enqueue();
        const done = await enqueue();
        const job = await claimOne();
        const other = job.id === done.id ? waiting : done;
        await store.completeJobs({
          completions: [{ id: job.id, leaseToken: job.leaseToken, resultJson: '{"n":7}' }],
          now: clock.now(),
        });
        const results = await store.readJobResults({ ids: [job.id, other.id, "not-an-id"] });
        assert.deepEqual([...results], [[job.id, { n: 7 }]]);
      });

      test("a batch is all or nothing", async () => {
        const id = uuidv7(clock.now());
        const jobs = [jobInput(clock.now(), { id }), jobInput(clock.now(), { id })];
        await assert.rejects(store.enqueueJobs({ jobs, now: clock.now() }));
        assert.equal(await store.getJob({ id }), null);
        const counts = await store.countJobsByState({});
        assert.equal(counts.queued, 0);
      });

      test("concurrent submissions commit independently: a bad call fails alone", async () => {
        const id = uuidv7(clock.now());
        const good1 = [jobInput(clock.now(), { payload: { n: 1 } })];
        const bad = [jobInput(clock.now(), { id }), jobInput(clock.now(), { id })];
        const good2 = [jobInput(clock.now(), { payload: { n: 2 } })];
        const results = await Promise.allSettled([
          store.enqueueJobs({ jobs: good1, now: clock.now() }),
          store.enqueueJobs({ jobs: bad, now: clock.now() }),
          store.enqueueJobs({ jobs: good2, now: clock.now() }),
        ]);
        assert.deepEqual(
          results.map((r) => r.status),
          ["fulfilled", "rejected", "fulfilled"],
        );
        assert.ok(await store.getJob({ id: good1[0]!.id }));
        assert.ok(await store.getJob({ id: good2[0]!.id }));
        assert.equal(await store.getJob({ id }), null);
      });

      test("a batch keeps its order and returns one outcome per job", async () => {
        const jobs = [1, 2, 3].map((n) => jobInput(clock.now(), { payload: { n } }));
        const outcomes = await store.enqueueJobs({ jobs, now: clock.now() });
        assert.deepEqual(
          outcomes.map((o) => o.job.payload.n),
          [1, 2, 3],
        );
        assert.ok(outcomes.every((o) => !o.duplicate));
      });

      test("unique key returns the unfinished holder instead of a duplicate", async () => {
        const first = await enqueue({ uniqueKey: "k" });
        const [again] = await store.enqueueJobs({
          jobs: [jobInput(clock.now(), { uniqueKey: "k" })],
          now: clock.now(),
        });
        assert.equal(again!.duplicate, true);
        assert.equal(again!.job.id, first.id);
        assert.equal((await store.countJobsByState({})).queued, 1);
        // Another queue or tenant is another key space.
        assert.equal(
          (
            await store.enqueueJobs({
              jobs: [jobInput(clock.now(), { uniqueKey: "k", queue: "other" })],
              now: clock.now(),
            })
          )[0]!.duplicate,
          false,
        );
        assert.equal(
          (
            await store.enqueueJobs({
              jobs: [jobInput(clock.now(), { uniqueKey: "k", tenant: "t2" })],
              now: clock.now(),
            })
          )[0]!.duplicate,
          false,
        );
      });

      test("a unique key is free again once its job is finished", async () => {
        const first = await enqueue({ uniqueKey: "k" });
        const claimed = await claimOne();
        await store.completeJobs({
          completions: [{ id: claimed.id, leaseToken: claimed.leaseToken, resultJson: null }],
          now: clock.now(),
        });
        const [next] = await store.enqueueJobs({
          jobs: [jobInput(clock.now(), { uniqueKey: "k" })],
          now: clock.now(),
        });
        assert.equal(next!.duplicate, false);
        assert.notEqual(next!.job.id, first.id);
      });

      test("duplicates inside one batch collapse onto the first", async () => {
        const jobs = [
          jobInput(clock.now(), { uniqueKey: "same" }),
          jobInput(clock.now(), { uniqueKey: "same" }),
        ];
        const [a, b] = await store.enqueueJobs({ jobs, now: clock.now() });
        assert.equal(a!.duplicate, false);
        assert.equal(b!.duplicate, true);
        assert.equal(b!.job.id, a!.job.id);
      });

      test("queue settings supply defaults to new jobs", async () => {
        await store.updateQueue({
          name: "slow",
          patch: { timeoutMs: 9_000, maxAttempts: 7, backoffBaseMs: 10, backoffCapMs: 20 },
          now: clock.now(),
        });
        const job = await enqueue({ queue: "slow" });
        assert.equal(job.timeout, 9_000);
        assert.equal(job.maxAttempts, 7);
        assert.deepEqual(job.backoff, { baseMs: 10, capMs: 20 });
        const explicit = await enqueue({ queue: "slow", timeout: 5, maxAttempts: 1 });
        assert.equal(explicit.timeout, 5);
        assert.equal(explicit.maxAttempts, 1);
      });
    });

    describe("claimJobs", () => {
      test("claims in priority, then runAt, then FIFO order", async () => {
        const low = await enqueue({ priority: -5 });
        const a = await enqueue();
        clock.advance(1);
        const b = await enqueue();
        const high = await enqueue({ priority: 10 });
        const claimed = await claim(10);
        assert.deepEqual(
          claimed.map((j) => j.id),
          [high.id, a.id, b.id, low.id],
        );
      });

      test("a claim starts an attempt with a fresh lease", async () => {
        const job = await enqueue();
        clock.advance(10);
        const claimed = await claimOne();
        assert.equal(claimed.id, job.id);
        assert.equal(claimed.status, "running");
        assert.equal(claimed.attempt, 1);
        assert.equal(claimed.worker, "w1");
        assert.ok(claimed.leaseToken.length >= 16);
        assert.equal(claimed.leaseExpiresAt.getTime(), clock.now() + LEASE_MS);
        assert.equal(claimed.startedAt?.getTime(), clock.now());
        const stored = await store.getJob({ id: job.id });
        assert.equal(stored?.status, "running");
        assert.equal(stored?.attempt, 1);
      });

      test("respects the limit and never hands one job out twice", async () => {
        for (let i = 0; i < 25; i++) await enqueue({ payload: { i } });
        const results = await Promise.all([
          claim(10, ["default"], "a"),
          claim(10, ["default"], "b"),
          claim(10, ["default"], "c"),
        ]);
        const ids = results.flat().map((j) => j.id);
        assert.equal(ids.length, 25);
        assert.equal(new Set(ids).size, 25);
        assert.ok(results.every((r) => r.length <= 10));
        assert.deepEqual(await claim(10), []);
      });

      test("the lease never outlives the attempt's timeout (plus grace)", async () => {
        await enqueue({ timeout: 1_000 });
        const claimed = await claimOne();
        assert.ok(claimed.leaseExpiresAt.getTime() <= clock.now() + 1_000 + TIMEOUT_GRACE_MS);
        assert.ok(claimed.leaseExpiresAt.getTime() >= clock.now() + 1_000);
      });

      test("does not claim scheduled jobs before their time, and claims them after", async () => {
        const job = await enqueue({ delay: 1_000 });
        assert.deepEqual(await claim(), []);
        clock.advance(1_000);
        const [claimed] = await claim();
        assert.equal(claimed?.id, job.id);
      });

      test("skips paused queues until resumed", async () => {
        await enqueue();
        await store.updateQueue({ name: "default", patch: { paused: true }, now: clock.now() });
        assert.deepEqual(await claim(), []);
        const [config] = (await store.listQueues()).filter((q) => q.name === "default");
        assert.equal(config?.paused, true);
        await store.updateQueue({ name: "default", patch: { paused: false }, now: clock.now() });
        assert.equal((await claim()).length, 1);
      });

      test("honours the queue's concurrency limit across claimers", async () => {
        for (let i = 0; i < 5; i++) await enqueue();
        await store.updateQueue({ name: "default", patch: { concurrency: 2 }, now: clock.now() });
        const first = await claim(5, ["default"], "a");
        assert.equal(first.length, 2);
        assert.deepEqual(await claim(5, ["default"], "b"), []);
        await store.completeJobs({
          completions: [{ id: first[0]!.id, leaseToken: first[0]!.leaseToken, resultJson: null }],
          now: clock.now(),
        });
        assert.equal((await claim(5, ["default"], "b")).length, 1);
        await store.updateQueue({
          name: "default",
          patch: { concurrency: null },
          now: clock.now(),
        });
        assert.equal((await claim(5, ["default"], "b")).length, 2);
      });

      test("takes queues in the order given", async () => {
        const low = await enqueue({ queue: "low" });
        const high = await enqueue({ queue: "high" });
        const claimed = await claim(1, ["high", "low"]);
        assert.deepEqual(
          claimed.map((j) => j.id),
          [high.id],
        );
        assert.deepEqual(
          (await claim(5, ["high", "low"])).map((j) => j.id),
          [low.id],
        );
      });

      test("claims only from the queues asked for", async () => {
        await enqueue({ queue: "other" });
        assert.deepEqual(await claim(10, ["default"]), []);
      });
    });

    defineRoutingConformance(() => ({ store, clock }));
    defineLeadershipConformance(() => ({ store, clock }));
    defineTraceContextConformance(() => ({ store, clock }));
    defineListByTagConformance(() => ({ store, clock }));
    defineListFiltersConformance(() => ({ store, clock }));
    defineTransitionConformance(() => ({ store, clock }));
    defineCountsConformance(() => ({ store, clock }));
    defineFlowConformance(() => ({ store, clock }));
    defineTrafficConformance(() => ({ store, clock }));

    describe("extendLeases", () => {
      test("extends the lease and saves progress", async () => {
        await enqueue();
        const job = await claimOne();
        clock.advance(10_000);
        const [outcome] = await store.extendLeases({
          leases: [
            {
              id: job.id,
              leaseToken: job.leaseToken,
              progress: 40,
              progressMessage: "2-opt pass 2",
            },
          ],
          leaseMs: LEASE_MS,
          now: clock.now(),
        });
        assert.ok(outcome?.ok);
        assert.equal(outcome.leaseExpiresAt.getTime(), clock.now() + LEASE_MS);
        assert.equal(outcome.cancelRequested, false);
        const stored = await store.getJob({ id: job.id });
        assert.equal(stored?.progress, 40);
        assert.equal(stored?.progressMessage, "2-opt pass 2");
        assert.equal(stored?.leaseExpiresAt?.getTime(), clock.now() + LEASE_MS);
        // A renewal without progress keeps what was saved.
        await store.extendLeases({
          leases: [{ id: job.id, leaseToken: job.leaseToken }],
          leaseMs: LEASE_MS,
          now: clock.now(),
        });
        assert.equal((await store.getJob({ id: job.id }))?.progressMessage, "2-opt pass 2");
      });

      test("refuses a stale token and reports a requested cancellation", async () => {
        await enqueue();
        const job = await claimOne();
        const [stale] = await store.extendLeases({
          leases: [{ id: job.id, leaseToken: "stale-token-000000", progress: 99 }],
          leaseMs: LEASE_MS,
          now: clock.now(),
        });
        assert.equal(stale?.ok, false);
        assert.equal((await store.getJob({ id: job.id }))?.progress, 0);
        await store.cancelJob({ id: job.id, now: clock.now() });
        const [outcome] = await store.extendLeases({
          leases: [{ id: job.id, leaseToken: job.leaseToken }],
          leaseMs: LEASE_MS,
          now: clock.now(),
        });
        assert.ok(outcome?.ok && outcome.cancelRequested);
        assert.deepEqual(await store.findCancelRequested({ ids: [job.id, uuidv7(clock.now())] }), [
          job.id,
        ]);
      });
    });

    describe("completeJobs", () => {
      test("records results with progress 100, fenced by the lease token", async () => {
        await enqueue();
        await enqueue();
        const [a, b] = await claim(2);
        clock.advance(1_500);
        const outcomes = await store.completeJobs({
          completions: [
            {
              id: a!.id,
              leaseToken: a!.leaseToken,
              resultJson: JSON.stringify({ routes: [1, 2] }),
            },
            { id: b!.id, leaseToken: "not-the-token-0000", resultJson: "1" },
          ],
          now: clock.now(),
        });
        assert.deepEqual(outcomes, [
          { id: a!.id, ok: true, status: "completed" },
          { id: b!.id, ok: false },
        ]);
        const done = await store.getJob({ id: a!.id });
        assert.equal(done?.status, "completed");
        assert.deepEqual(done?.result, { routes: [1, 2] });
        assert.equal(done?.progress, 100);
        assert.equal(done?.completedAt?.getTime(), clock.now());
        assert.equal(done?.leaseExpiresAt, null);
        assert.equal((await store.getJob({ id: b!.id }))?.status, "running");
      });

      test("a completion after a cancellation request ends the job cancelled", async () => {
        await enqueue();
        const job = await claimOne();
        await store.cancelJob({ id: job.id, now: clock.now() });
        const [outcome] = await store.completeJobs({
          completions: [{ id: job.id, leaseToken: job.leaseToken, resultJson: "42" }],
          now: clock.now(),
        });
        assert.deepEqual(outcome, { id: job.id, ok: true, status: "cancelled" });
        const stored = await store.getJob({ id: job.id });
        assert.equal(stored?.status, "cancelled");
        assert.equal(stored?.result, null);
      });
    });

    describe("failJob", () => {
      test("schedules a retry and keeps the error history", async () => {
        await enqueue();
        const job = await claimOne();
        const runAt = clock.now() + 700;
        const recorded = await failOneJob(store, {
          id: job.id,
          leaseToken: job.leaseToken,
          error: { message: "boom", type: "Error", attempt: 1 },
          outcome: { status: "retrying", runAt },
          now: clock.now(),
        });
        assert.equal(recorded.status, "retrying");
        assert.equal(recorded.runAt.getTime(), runAt);
        const stored = await store.getJob({ id: job.id });
        assert.equal(stored?.status, "retrying");
        assert.equal(stored?.error?.message, "boom");
        assert.equal(stored?.error?.attempt, 1);
        assert.equal(stored?.error?.at.getTime(), clock.now());
        assert.equal(stored?.errors.length, 1);
        assert.equal(stored?.completedAt, null);
        assert.deepEqual(await claim(), []);
        clock.advance(700);
        const again = await claimOne();
        assert.equal(again.attempt, 2);
        await failOneJob(store, {
          id: again.id,
          leaseToken: again.leaseToken,
          error: { message: "boom again", type: "TypeError", attempt: 2 },
          outcome: { status: "failed" },
          now: clock.now(),
        });
        const failed = await store.getJob({ id: job.id });
        assert.equal(failed?.status, "failed");
        assert.equal(failed?.completedAt?.getTime(), clock.now());
        assert.deepEqual(
          failed?.errors.map((e) => [e.attempt, e.type]),
          [
            [1, "Error"],
            [2, "TypeError"],
          ],
        );
      });

      test(`the error history keeps the newest ${MAX_ERROR_HISTORY} failed attempts`, async () => {
        const job = await enqueue({ maxAttempts: MAX_ERROR_HISTORY + 2 });
        for (let attempt = 1; attempt <= MAX_ERROR_HISTORY + 2; attempt++) {
          const claimed = await claimOne();
          await failOneJob(store, {
            id: claimed.id,
            leaseToken: claimed.leaseToken,
            error: { message: `failure ${attempt}`, type: "Error", attempt },
            outcome: { status: "retrying", runAt: clock.now() },
            now: clock.now(),
          });
        }
        const stored = await store.getJob({ id: job.id });
        assert.equal(stored?.errors.length, MAX_ERROR_HISTORY);
        assert.equal(stored?.errors[0]?.attempt, 3, "the oldest two were dropped");
        assert.equal(stored?.error?.message, `failure ${MAX_ERROR_HISTORY + 2}`);
      });

      test("a stale token throws LeaseLostError and changes nothing", async () => {
        await enqueue();
        const job = await claimOne();
        await assert.rejects(
          failOneJob(store, {
            id: job.id,
            leaseToken: "stale-token-000000",
            error: { message: "x", type: "Error", attempt: 1 },
            outcome: { status: "failed" },
            now: clock.now(),
          }),
          LeaseLostError,
        );
        assert.equal((await store.getJob({ id: job.id }))?.status, "running");
      });
    });

    describe("failJobs", () => {
      const error = (attempt: number) => ({ message: "boom", type: "Error", attempt });

      test("records a batch in order, answering ok: false for a stale token", async () => {
        await enqueue();
        await enqueue();
        await enqueue();
        const [first, second, third] = await claim(3);
        assert.ok(first && second && third);
        const runAt = clock.now() + 500;
        const outcomes = await store.failJobs({
          failures: [
            {
              id: first.id,
              leaseToken: first.leaseToken,
              error: error(1),
              outcome: { status: "retrying", runAt },
            },
            {
              id: second.id,
              leaseToken: "stale-token-000000",
              error: error(1),
              outcome: { status: "failed" },
            },
            {
              id: third.id,
              leaseToken: third.leaseToken,
              error: error(1),
              outcome: { status: "failed" },
            },
          ],
          now: clock.now(),
        });
        assert.deepEqual(outcomes, [
          { id: first.id, ok: true, status: "retrying", runAt: new Date(runAt) },
          { id: second.id, ok: false },
          { id: third.id, ok: true, status: "failed", runAt: third.runAt },
        ]);
        assert.equal((await store.getJob({ id: first.id }))?.status, "retrying");
        assert.equal((await store.getJob({ id: second.id }))?.status, "running");
        assert.equal((await store.getJob({ id: third.id }))?.status, "failed");
      });

      test("an unknown or malformed id answers ok: false instead of throwing", async () => {
        const outcomes = await store.failJobs({
          failures: [
            { id: "not-a-job", leaseToken: "t", error: error(1), outcome: { status: "failed" } },
            {
              id: "01890000-0000-7000-8000-000000000000",
              leaseToken: "t",
              error: error(1),
              outcome: { status: "failed" },
            },
          ],
          now: clock.now(),
        });
        assert.deepEqual(outcomes, [
          { id: "not-a-job", ok: false },
          { id: "01890000-0000-7000-8000-000000000000", ok: false },
        ]);
        assert.deepEqual(await store.failJobs({ failures: [], now: clock.now() }), []);
      });

      test("logs each recorded failure's event, and none for a stale one", async () => {
        await enqueue();
        await enqueue();
        const [kept, lost] = await claim(2);
        assert.ok(kept && lost);
        const before = await store.latestJobEventSeq();
        await store.failJobs({
          failures: [
            {
              id: kept.id,
              leaseToken: kept.leaseToken,
              error: error(1),
              outcome: { status: "failed" },
            },
            {
              id: lost.id,
              leaseToken: "stale-token-000000",
              error: error(1),
              outcome: { status: "failed" },
            },
          ],
          now: clock.now(),
        });
        const events = await store.readJobEvents({ afterSeq: before, limit: 10 });
        assert.deepEqual(
          events.map((e) => [e.jobId, e.name]),
          [[kept.id, "job.failed"]],
        );
      });
    });

    describe("fencing across a rescue", () => {
      test("the old holder can neither complete, fail nor heartbeat the new attempt", async () => {
        await enqueue();
        const old = await store.claimJobs({
          queues: ["default"],
          workerId: "slow",
          limit: 1,
          leaseMs: 1_000,
          now: clock.now(),
        });
        clock.advance(1_001);
        const rescued = await store.rescueExpiredLeases({
          now: clock.now(),
          limit: 10,
          random: () => 0,
        });
        assert.equal(rescued[0]?.status, "retrying");
        const fresh = await store.claimJobs({
          queues: ["default"],
          workerId: "fast",
          limit: 1,
          leaseMs: LEASE_MS,
          now: clock.now(),
        });
        assert.equal(fresh[0]?.id, old[0]!.id);
        assert.notEqual(fresh[0]!.leaseToken, old[0]!.leaseToken);
        const stale = { id: old[0]!.id, leaseToken: old[0]!.leaseToken };
        assert.deepEqual(
          await store.completeJobs({
            completions: [{ ...stale, resultJson: '"old"' }],
            now: clock.now(),
          }),
          [{ id: stale.id, ok: false }],
        );
        await assert.rejects(
          failOneJob(store, {
            ...stale,
            error: { message: "x", type: "Error", attempt: 1 },
            outcome: { status: "failed" },
            now: clock.now(),
          }),
          LeaseLostError,
        );
        assert.deepEqual(
          await store.extendLeases({ leases: [stale], leaseMs: LEASE_MS, now: clock.now() }),
          [{ id: stale.id, ok: false }],
        );
        assert.equal(await store.releaseJobs({ leases: [stale], now: clock.now() }), 0);
        await store.completeJobs({
          completions: [
            { id: fresh[0]!.id, leaseToken: fresh[0]!.leaseToken, resultJson: '"new"' },
          ],
          now: clock.now(),
        });
        const stored = await store.getJob({ id: stale.id });
        assert.equal(stored?.status, "completed");
        assert.equal(stored?.result, "new");
        assert.equal(stored?.attempt, 2);
      });
    });

    describe("releaseJobs", () => {
      test("gives jobs back without counting the attempt", async () => {
        await enqueue();
        const job = await claimOne();
        assert.equal(
          await store.releaseJobs({
            leases: [{ id: job.id, leaseToken: job.leaseToken }],
            now: clock.now(),
          }),
          1,
        );
        const stored = await store.getJob({ id: job.id });
        assert.equal(stored?.status, "queued");
        assert.equal(stored?.attempt, 0);
        assert.equal(stored?.leaseExpiresAt, null);
        assert.equal((await claimOne()).attempt, 1);
      });
    });

    describe("cancelJob", () => {
      test("cancels waiting jobs at once", async () => {
        for (const opts of [{}, { delay: 60_000 }]) {
          const job = await enqueue(opts);
          const cancelled = await store.cancelJob({ id: job.id, now: clock.now() });
          assert.equal(cancelled.status, "cancelled");
          assert.equal(cancelled.completedAt?.getTime(), clock.now());
        }
        assert.deepEqual(await claim(), []);
      });

      test("flags running jobs and refuses final ones", async () => {
        await enqueue();
        const job = await claimOne();
        const flagged = await store.cancelJob({ id: job.id, now: clock.now() });
        assert.equal(flagged.status, "running");
        assert.equal(flagged.cancelRequested, true);
        await failOneJob(store, {
          id: job.id,
          leaseToken: job.leaseToken,
          error: { message: "aborted", type: "CancelledError", attempt: 1 },
          outcome: { status: "failed" },
          now: clock.now(),
        });
        assert.equal((await store.getJob({ id: job.id }))?.status, "cancelled");
        await assert.rejects(store.cancelJob({ id: job.id, now: clock.now() }), SpoolConflictError);
      });

      test("unknown ids and other tenants' jobs are not found", async () => {
        const job = await enqueue({ tenant: "acme" });
        await assert.rejects(
          store.cancelJob({ id: uuidv7(clock.now()), now: clock.now() }),
          SpoolNotFoundError,
        );
        await assert.rejects(
          store.cancelJob({ id: job.id, tenant: "other", now: clock.now() }),
          SpoolNotFoundError,
        );
        assert.equal((await store.getJob({ id: job.id }))?.status, "queued");
        assert.equal(
          (await store.cancelJob({ id: job.id, tenant: "acme", now: clock.now() })).status,
          "cancelled",
        );
      });
    });

    describe("retryJob", () => {
      test("re-queues failed and cancelled jobs with attempts reset", async () => {
        await enqueue({ maxAttempts: 1 });
        const job = await claimOne();
        await failOneJob(store, {
          id: job.id,
          leaseToken: job.leaseToken,
          error: { message: "x", type: "Error", attempt: 1 },
          outcome: { status: "failed" },
          now: clock.now(),
        });
        clock.advance(5);
        const retried = await store.retryJob({ id: job.id, now: clock.now() });
        assert.equal(retried.status, "queued");
        assert.equal(retried.attempt, 0);
        assert.equal(retried.completedAt, null);
        assert.equal(retried.error, null);
        assert.equal(retried.errors.length, 1, "the history is kept");
        assert.equal((await claimOne()).attempt, 1);
        const cancelled = await enqueue();
        await store.cancelJob({ id: cancelled.id, now: clock.now() });
        assert.equal(
          (await store.retryJob({ id: cancelled.id, now: clock.now() })).status,
          "queued",
        );
      });

      test("refuses jobs that are not failed or cancelled", async () => {
        const job = await enqueue();
        await assert.rejects(store.retryJob({ id: job.id, now: clock.now() }), SpoolConflictError);
        await assert.rejects(
          store.retryJob({ id: uuidv7(clock.now()), now: clock.now() }),
          SpoolNotFoundError,
        );
      });
    });

    describe("getJob, listJobs, countJobsByState", () => {
      test("getJob hides other tenants' jobs", async () => {
        const job = await enqueue({ tenant: "acme" });
        assert.equal(await store.getJob({ id: job.id, tenant: "other" }), null);
        assert.equal((await store.getJob({ id: job.id, tenant: "acme" }))?.id, job.id);
        assert.equal(await store.getJob({ id: uuidv7(clock.now()) }), null);
      });

      test("lists newest first with filters and cursor pagination", async () => {
        const ids: string[] = [];
        for (let i = 0; i < 7; i++) {
          clock.advance(1);
          ids.push(
            (
              await enqueue({
                tags: i % 2 === 0 ? ["even"] : ["odd"],
                type: i < 3 ? "a.type" : "b.type",
              })
            ).id,
          );
        }
        await enqueue({ queue: "other" });
        await enqueue({ tenant: "acme" });
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < 10; page++) {
          const result = await store.listJobs({
            tenant: "default",
            queue: "default",
            limit: 3,
            ...(cursor ? { cursor } : {}),
          });
          seen.push(...result.jobs.map((j) => j.id));
          if (result.nextCursor === null) break;
          cursor = result.nextCursor;
        }
        assert.deepEqual(seen, [...ids].reverse());
        const even = await store.listJobs({ tag: "even", queue: "default", limit: 50 });
        assert.equal(even.jobs.length, 4);
        assert.equal(even.nextCursor, null);
        assert.equal((await store.listJobs({ type: "a.type", limit: 50 })).jobs.length, 3);
        assert.equal((await store.listJobs({ tenant: "acme", limit: 50 })).jobs.length, 1);
        await claim(2);
        assert.equal((await store.listJobs({ status: ["running"], limit: 50 })).jobs.length, 2);
        assert.equal(
          (await store.listJobs({ status: ["running", "queued"], limit: 50 })).jobs.length,
          9,
        );
      });

      test("counts jobs by state, per tenant and queue", async () => {
        await enqueue();
        await enqueue({ delay: 1_000 });
        await enqueue({ queue: "other", tenant: "acme" });
        await claim(1);
        const all = await store.countJobsByState({});
        assert.deepEqual(all, {
          scheduled: 1,
          queued: 1,
          running: 1,
          retrying: 0,
          completed: 0,
          failed: 0,
          cancelled: 0,
        });
        assert.equal((await store.countJobsByState({ tenant: "acme" })).queued, 1);
        assert.equal((await store.countJobsByState({ queue: "default" })).queued, 0);
      });
    });

    describe("maintenance", () => {
      test("rescues expired leases: retrying while attempts remain, then failed", async () => {
        await enqueue({ maxAttempts: 2 });
        const first = await claimOne();
        clock.advance(LEASE_MS - 1);
        assert.deepEqual(
          await store.rescueExpiredLeases({ now: clock.now(), limit: 10, random: () => 0.5 }),
          [],
        );
        clock.advance(1);
        const [moved] = await store.rescueExpiredLeases({
          now: clock.now(),
          limit: 10,
          random: () => 0.5,
        });
        assert.deepEqual(moved, {
          id: first.id,
          queue: "default",
          type: "test.job",
          status: "retrying",
          attempt: 1,
        });
        const retrying = await store.getJob({ id: first.id });
        assert.equal(retrying?.error?.type, "LeaseExpired");
        assert.equal(retrying?.runAt.getTime(), clock.now() + 500, "backoff: 0.5 × 1 s");
        clock.advance(500);
        const second = await claimOne();
        assert.equal(second.attempt, 2);
        clock.advance(LEASE_MS);
        const [last] = await store.rescueExpiredLeases({
          now: clock.now(),
          limit: 10,
          random: () => 0.5,
        });
        assert.equal(last?.status, "failed");
        const failed = await store.getJob({ id: first.id });
        assert.equal(failed?.status, "failed");
        assert.equal(failed?.errors.length, 2);
      });

      test("a lease that ran into the timeout is rescued as a timeout; a cancel request wins", async () => {
        await enqueue({ timeout: 1_000 });
        await enqueue();
        const [timed, flagged] = await claim(2);
        await store.cancelJob({ id: flagged!.id, now: clock.now() });
        clock.advance(LEASE_MS);
        const moved = await store.rescueExpiredLeases({
          now: clock.now(),
          limit: 10,
          random: () => 0,
        });
        assert.equal(moved.length, 2);
        assert.equal((await store.getJob({ id: timed!.id }))?.error?.type, "TimeoutError");
        assert.equal((await store.getJob({ id: flagged!.id }))?.status, "cancelled");
      });

      test("rescue works in batches of `limit`", async () => {
        for (let i = 0; i < 5; i++) await enqueue();
        await claim(5);
        clock.advance(LEASE_MS);
        assert.equal(
          (await store.rescueExpiredLeases({ now: clock.now(), limit: 3, random: () => 0 })).length,
          3,
        );
        assert.equal(
          (await store.rescueExpiredLeases({ now: clock.now(), limit: 3, random: () => 0 })).length,
          2,
        );
      });

      test("promotes due scheduled and retrying jobs", async () => {
        const later = await enqueue({ delay: 2_000 });
        const soon = await enqueue({ delay: 1_000 });
        clock.advance(1_000);
        const moved = await store.promoteDueJobs({ now: clock.now(), limit: 10 });
        assert.deepEqual(
          moved.map((j) => j.id),
          [soon.id],
        );
        assert.equal((await store.getJob({ id: soon.id }))?.status, "queued");
        assert.equal((await store.getJob({ id: later.id }))?.status, "scheduled");
      });

      test("prunes finished jobs past each state's retention, in batches", async () => {
        const make = async (finish: "completed" | "failed" | "cancelled") => {
          const job = await enqueue();
          if (finish === "cancelled") {
            await store.cancelJob({ id: job.id, now: clock.now() });
            return job.id;
          }
          const claimed = await claimOne();
          if (finish === "completed")
            await store.completeJobs({
              completions: [{ id: claimed.id, leaseToken: claimed.leaseToken, resultJson: null }],
              now: clock.now(),
            });
          else
            await failOneJob(store, {
              id: claimed.id,
              leaseToken: claimed.leaseToken,
              error: { message: "x", type: "Error", attempt: 1 },
              outcome: { status: "failed" },
              now: clock.now(),
            });
          return claimed.id;
        };
        const completed = await make("completed");
        const failed = await make("failed");
        const cancelled = await make("cancelled");
        const waiting = await enqueue();
        clock.advance(10);
        const now = clock.now();
        assert.equal(
          await store.pruneFinishedJobs({
            completedBefore: now,
            failedBefore: now - 100,
            cancelledBefore: now - 100,
            limit: 100,
          }),
          1,
        );
        assert.equal(await store.getJob({ id: completed }), null);
        assert.ok(await store.getJob({ id: failed }));
        assert.equal(
          await store.pruneFinishedJobs({
            completedBefore: now,
            failedBefore: now,
            cancelledBefore: now,
            limit: 1,
          }),
          1,
        );
        assert.equal(
          await store.pruneFinishedJobs({
            completedBefore: now,
            failedBefore: now,
            cancelledBefore: now,
            limit: 10,
          }),
          1,
        );
        assert.equal(await store.getJob({ id: cancelled }), null);
        assert.ok(await store.getJob({ id: waiting.id }), "unfinished jobs are never pruned");
      });
    });

    describe("job-event log", () => {
      test("logs every transition in commit order, with the job's identity", async () => {
        const start = await store.latestJobEventSeq();
        const job = await enqueue({ tenant: "acme", queue: "q1", type: "ev.type" });
        const [claimed] = await claim(1, ["q1"]);
        await store.extendLeases({
          leases: [
            {
              id: job.id,
              leaseToken: claimed!.leaseToken,
              progress: 30,
              progressMessage: "a third",
            },
          ],
          leaseMs: LEASE_MS,
          now: clock.now(),
        });
        await store.extendLeases({
          leases: [{ id: job.id, leaseToken: claimed!.leaseToken }],
          leaseMs: LEASE_MS,
          now: clock.now(),
        });
        await failOneJob(store, {
          id: job.id,
          leaseToken: claimed!.leaseToken,
          error: { message: "boom", type: "Error", attempt: 1, stack: "secret stack" },
          outcome: { status: "retrying", runAt: clock.now() },
          now: clock.now(),
        });
        const [again] = await claim(1, ["q1"]);
        await store.completeJobs({
          completions: [{ id: job.id, leaseToken: again!.leaseToken, resultJson: "1" }],
          now: clock.now(),
        });
        const events = await store.readJobEvents({ afterSeq: start, limit: 100 });
        assert.deepEqual(
          events.map((e) => [e.name, e.status]),
          [
            ["job.queued", "queued"],
            ["job.started", "running"],
            ["job.progress", "running"],
            ["job.retrying", "retrying"],
            ["job.started", "running"],
            ["job.completed", "completed"],
          ],
          "a renewal without progress logs nothing",
        );
        for (const event of events) {
          assert.equal(event.jobId, job.id);
          assert.equal(event.tenant, "acme");
          assert.equal(event.queue, "q1");
          assert.equal(event.type, "ev.type");
          assert.equal(event.at.getTime(), clock.now());
        }
        assert.ok(events.every((e, i) => i === 0 || e.seq > events[i - 1]!.seq));
        assert.deepEqual(events[2]!.data, { progress: 30, progressMessage: "a third" });
        const data = (i: number) => events[i]!.data as Record<string, unknown>;
        assert.equal(data(1).attempt, 1);
        assert.equal(data(1).worker, "w1");
        assert.equal((data(3).error as { message: string }).message, "boom");
        assert.equal(
          (data(3).error as { stack?: string }).stack,
          undefined,
          "stacks stay out of the log",
        );
        assert.equal(data(5).attempt, 2);
        assert.equal(data(0).reason, "submitted");
        assert.equal(data(0).runAt, clock.now());
        assert.equal(typeof data(1).waitMs, "number", "started events carry the wait");
        assert.equal(typeof data(5).runMs, "number", "completed events carry the run time");
        assert.equal(await store.latestJobEventSeq(), events[5]!.seq);
        assert.deepEqual(await store.readJobEvents({ afterSeq: events[5]!.seq, limit: 10 }), []);
        assert.equal((await store.readJobEvents({ afterSeq: start, limit: 2 })).length, 2);
      });

      test("readNamedJobEvents: only the names asked for, and how far the log was read", async () => {
        const start = await store.latestJobEventSeq();
        for (let i = 0; i < 3; i++) await enqueue();
        const claimed = await claim(3);
        await store.completeJobs({
          completions: claimed.map((job) => ({
            id: job.id,
            leaseToken: job.leaseToken,
            resultJson: null,
          })),
          now: clock.now(),
        });
        const all = await store.readJobEvents({ afterSeq: start, limit: 100 });
        const newest = all.at(-1)!.seq;
        assert.equal(all.length, 9, "queued, started and completed for each");
        const completed = all.filter((e) => e.name === "job.completed");

        const named = await store.readNamedJobEvents({
          afterSeq: start,
          limit: 100,
          names: ["job.completed", "job.failed"],
        });
        assert.deepEqual(named.events, completed, "the same events, as readJobEvents gives them");
        assert.equal(named.scannedTo, newest, "fewer than the limit: read to the newest");

        const two = await store.readNamedJobEvents({
          afterSeq: start,
          limit: 2,
          names: ["job.completed"],
        });
        assert.deepEqual(two.events, completed.slice(0, 2));
        assert.equal(two.scannedTo, completed[1]!.seq, "the limit reached: read to the last");
        const rest = await store.readNamedJobEvents({
          afterSeq: two.scannedTo,
          limit: 2,
          names: ["job.completed"],
        });
        assert.deepEqual(rest.events, completed.slice(2));
        assert.equal(rest.scannedTo, newest);

        const none = await store.readNamedJobEvents({ afterSeq: start, limit: 100, names: [] });
        assert.deepEqual(none, { events: [], scannedTo: newest });
        const caughtUp = await store.readNamedJobEvents({
          afterSeq: newest,
          limit: 100,
          names: ["job.completed"],
        });
        assert.deepEqual(caughtUp, { events: [], scannedTo: newest });
      });

      test("reads resume and stop anywhere inside one submission's events", async () => {
        const start = await store.latestJobEventSeq();
        const jobs = Array.from({ length: 10 }, () => jobInput(clock.now()));
        const outcomes = await store.enqueueJobs({ jobs, now: clock.now() });
        const all = await store.readJobEvents({ afterSeq: start, limit: 100 });
        assert.deepEqual(
          all.map((e) => e.jobId),
          outcomes.map((o) => o.job.id),
          "one event per job, in submission order",
        );
        const seqs = all.map((e) => e.seq);
        const middle = await store.readJobEvents({ afterSeq: seqs[2]!, limit: 4 });
        assert.deepEqual(
          middle.map((e) => e.seq),
          seqs.slice(3, 7),
        );
        const named = await store.readNamedJobEvents({
          afterSeq: seqs[6]!,
          limit: 2,
          names: ["job.queued"],
        });
        assert.deepEqual(
          named.events.map((e) => e.seq),
          seqs.slice(7, 9),
        );
        assert.equal(named.scannedTo, seqs[8]);
      });

      test("a read of one name finds it behind 60,000 events of others", async () => {
        const start = await store.latestJobEventSeq();
        for (let i = 0; i < 6; i++) {
          const jobs = Array.from({ length: 10_000 }, () => jobInput(clock.now()));
          await store.enqueueJobs({ jobs, now: clock.now() });
        }
        const job = await enqueue();
        await store.cancelJob({ id: job.id, now: clock.now() });
        const newest = await store.latestJobEventSeq();
        const read = await store.readNamedJobEvents({
          afterSeq: start,
          limit: 10,
          names: ["job.cancelled"],
        });
        assert.deepEqual(
          read.events.map((e) => [e.seq, e.jobId]),
          [[newest, job.id]],
        );
        assert.equal(read.scannedTo, newest);
      });

      test("logs cancellations, retries, releases and rescues; not duplicates", async () => {
        const start = await store.latestJobEventSeq();
        const waiting = await enqueue({ uniqueKey: "u" });
        await enqueue({ uniqueKey: "u" });
        await store.cancelJob({ id: waiting.id, now: clock.now() });
        await store.retryJob({ id: waiting.id, now: clock.now() });
        const claimed = await claimOne();
        await store.releaseJobs({
          leases: [{ id: claimed.id, leaseToken: claimed.leaseToken }],
          now: clock.now(),
        });
        await store.claimJobs({
          queues: ["default"],
          workerId: "w1",
          limit: 1,
          leaseMs: 10,
          now: clock.now(),
        });
        clock.advance(10);
        await store.rescueExpiredLeases({ now: clock.now(), limit: 10, random: () => 0 });
        const logged = await store.readJobEvents({ afterSeq: start, limit: 100 });
        const names = logged.map((e) => e.name);
        assert.deepEqual(
          logged.filter((e) => e.name === "job.queued").map((e) => e.data.reason),
          ["submitted", "retried", "released"],
        );
        assert.deepEqual(names, [
          "job.queued",
          "job.cancelled",
          "job.queued",
          "job.started",
          "job.queued",
          "job.started",
          "job.retrying",
        ]);
      });

      test("pruning keeps the newest events", async () => {
        for (let i = 0; i < 5; i++) await enqueue();
        const latest = await store.latestJobEventSeq();
        assert.ok((await store.pruneJobEvents({ keep: 2 })) >= 3);
        const left = await store.readJobEvents({ afterSeq: 0, limit: 100 });
        assert.deepEqual(
          left.map((e) => e.seq),
          [latest - 1, latest],
        );
      });

      test("pruning everything leaves the newest event, so no seq is handed out twice", async () => {
        for (let i = 0; i < 3; i++) await enqueue();
        const latest = await store.latestJobEventSeq();
        await store.pruneJobEvents({ keep: 0 });
        assert.equal(await store.latestJobEventSeq(), latest);
        await enqueue();
        const left = await store.readJobEvents({ afterSeq: 0, limit: 100 });
        assert.deepEqual(
          left.map((e) => e.seq),
          [latest, latest + 1],
        );
      });

      test("pruning with `before` keeps younger events, however many", async () => {
        for (let i = 0; i < 3; i++) await enqueue();
        const at = clock.now();
        clock.advance(1_000);
        for (let i = 0; i < 3; i++) await enqueue();
        const latest = await store.latestJobEventSeq();
        // Only the three events before `at + 1` may go; the three younger ones stay.
        assert.equal(await store.pruneJobEvents({ keep: 1, before: at + 1 }), 3);
        const left = await store.readJobEvents({ afterSeq: 0, limit: 100 });
        assert.deepEqual(
          left.map((e) => e.seq),
          [latest - 2, latest - 1, latest],
        );
      });
    });

    describe("api keys", () => {
      test("stores hashes, finds by hash, lists and revokes", async () => {
        const created = await store.createApiKey({
          id: "key_1",
          hash: "h".repeat(64),
          prefix: "spool_ab",
          name: "ci",
          role: "worker",
          tenant: "acme",
          queues: ["emails"],
          now: clock.now(),
        });
        assert.deepEqual(created, {
          id: "key_1",
          name: "ci",
          prefix: "spool_ab",
          role: "worker",
          tenant: "acme",
          queues: ["emails"],
          createdAt: new Date(clock.now()),
          revokedAt: null,
        });
        assert.deepEqual(await store.findApiKey({ hash: "h".repeat(64) }), created);
        assert.equal(await store.findApiKey({ hash: "x".repeat(64) }), null);
        await store.createApiKey({
          id: "key_2",
          hash: "g".repeat(64),
          prefix: "spool_cd",
          name: null,
          role: "admin",
          tenant: "default",
          queues: null,
          now: clock.now() + 1,
        });
        assert.deepEqual(
          (await store.listApiKeys()).map((k) => k.id),
          ["key_2", "key_1"],
        );
        clock.advance(5);
        const revoked = await store.revokeApiKey({ id: "key_1", now: clock.now() });
        assert.equal(revoked.revokedAt?.getTime(), clock.now());
        assert.equal(
          (await store.findApiKey({ hash: "h".repeat(64) }))?.revokedAt?.getTime(),
          clock.now(),
        );
        await assert.rejects(
          store.revokeApiKey({ id: "nope", now: clock.now() }),
          SpoolNotFoundError,
        );
        await assert.rejects(
          store.createApiKey({
            id: "key_3",
            hash: "g".repeat(64),
            prefix: "x",
            name: null,
            role: "admin",
            tenant: "t",
            queues: null,
            now: clock.now(),
          }),
          "a hash is unique",
        );
      });
    });

    describe("queue insights", () => {
      test("queue stats: counts, settings, last-minute throughput, wait and run percentiles", async () => {
        await store.updateQueue({
          name: "work",
          patch: { concurrency: 4, paused: false },
          now: clock.now(),
        });
        for (let i = 0; i < 3; i++) await enqueue({ queue: "work" });
        clock.advance(100); // waited 100 ms
        const jobs = await claim(2, ["work"]);
        clock.advance(40); // ran 40 ms
        await store.completeJobs({
          completions: jobs.map((j) => ({ id: j.id, leaseToken: j.leaseToken, resultJson: null })),
          now: clock.now(),
        });
        // Submitted after the claim: with two tenants ready, fair scheduling would start it.
        await enqueue({ queue: "work", tenant: "acme" });
        const stats = await store.queueStats({ now: clock.now(), windowMs: 600_000 });
        const work = stats.find((q) => q.name === "work")!;
        assert.equal(work.counts.completed, 2);
        assert.equal(work.counts.queued, 2);
        assert.equal(work.concurrency, 4);
        assert.equal(work.paused, false);
        assert.equal(work.completedLastMinute, 2);
        assert.deepEqual(work.waitMs, { p50: 100, p95: 100 });
        assert.deepEqual(work.runMs, { p50: 40, p95: 40 });
        const acme = (
          await store.queueStats({ now: clock.now(), windowMs: 600_000, tenant: "acme" })
        ).find((q) => q.name === "work")!;
        assert.equal(acme.counts.queued, 1);
        assert.equal(acme.counts.completed, 0);
        assert.equal(acme.runMs, null);
        clock.advance(61_000);
        const later = (await store.queueStats({ now: clock.now(), windowMs: 600_000 })).find(
          (q) => q.name === "work",
        )!;
        assert.equal(later.completedLastMinute, 0);
        assert.deepEqual(later.runMs, { p50: 40, p95: 40 });
      });

      test("positions count the queued jobs ahead in claim order, up to a limit", async () => {
        const a = await enqueue();
        clock.advance(1);
        const b = await enqueue({ tenant: "other" });
        const urgent = await enqueue({ priority: 5 });
        const later = await enqueue({ delay: 10_000 });
        const position = (job: typeof a, limit = 100) => store.jobPosition({ job, limit });
        assert.equal(await position(urgent), 0);
        assert.equal(await position(a), 1);
        assert.equal(await position(b), 2, "other tenants' jobs share the queue");
        assert.equal(await position(later), 3);
        assert.equal(await position(later, 2), 2, "counting stops at the limit");
        await claim(1);
        assert.equal(await position(a), 0, "the claimed job is no longer ahead");
      });

      test("a tenant-scoped position counts only that tenant's jobs ahead", async () => {
        const theirs = await enqueue({ tenant: "a", priority: 5 });
        await enqueue({ tenant: "a", priority: 5 });
        const mineFirst = await enqueue({ tenant: "b", priority: 1 });
        const mine = await enqueue({ tenant: "b" });
        const position = (job: typeof mine, tenant?: string, limit = 100) =>
          store.jobPosition({ job, limit, ...(tenant === undefined ? {} : { tenant }) });
        assert.equal(await position(mine), 3, "unscoped: every tenant's jobs");
        assert.equal(await position(mine, "b"), 1, "b sees only its own job ahead");
        assert.equal(await position(mineFirst, "b"), 0);
        assert.equal(await position(theirs, "a"), 0);
        assert.equal(await position(mine, "b", 2), 0, "counted among the next 2 in line only");
      });

      test("a tenant-scoped claim takes only that tenant's jobs", async () => {
        await enqueue({ tenant: "a" });
        const mine = await enqueue({ tenant: "b" });
        const claimed = await store.claimJobs({
          queues: ["default"],
          workerId: "w",
          limit: 10,
          leaseMs: LEASE_MS,
          now: clock.now(),
          tenant: "b",
        });
        assert.deepEqual(
          claimed.map((j) => j.id),
          [mine.id],
        );
      });
    });

    describe("tenant quotas", () => {
      test("a tenant without a quota is unlimited and not counted", async () => {
        for (let i = 0; i < 3; i++) await enqueue({ tenant: "free" });
        const credits = await store.tenantCredits({ tenant: "free", now: clock.now() });
        assert.equal(credits.dailyLimit, null);
        assert.equal(credits.monthlyLimit, null);
        assert.equal(credits.dailyUsed, 0);
      });

      test("submissions over the daily limit are refused whole, write nothing, and reset the next day", async () => {
        const set = await store.setTenantQuota({
          tenant: "acme",
          dailyLimit: 3,
          monthlyLimit: 10,
          now: clock.now(),
        });
        assert.equal(set.dailyLimit, 3);
        assert.equal(set.dailyUsed, 0);
        await enqueue({ tenant: "acme" });
        await enqueue({ tenant: "acme", uniqueKey: "u" });
        await enqueue({ tenant: "acme", uniqueKey: "u" }); // a duplicate is not a new job: free
        const batch = [
          jobInput(clock.now(), { tenant: "acme" }),
          jobInput(clock.now(), { tenant: "acme" }),
        ];
        await assert.rejects(
          store.enqueueJobs({ jobs: batch, now: clock.now() }),
          (error: unknown) => {
            assert.ok(error instanceof QuotaExceededError);
            assert.equal(error.code, "quota_exceeded");
            assert.ok(error.retryAfterMs > 0 && error.retryAfterMs <= 86_400_000);
            return true;
          },
        );
        assert.equal(await store.getJob({ id: batch[0]!.id }), null, "all or nothing");
        const credits = await store.tenantCredits({ tenant: "acme", now: clock.now() });
        assert.equal(credits.dailyUsed, 2, "a refused submission consumes nothing");
        assert.equal(credits.monthlyUsed, 2);
        await enqueue({ tenant: "acme" }); // the third fits
        await assert.rejects(
          store.enqueueJobs({
            jobs: [jobInput(clock.now(), { tenant: "acme" })],
            now: clock.now(),
          }),
          QuotaExceededError,
        );
        await enqueue({ tenant: "other" }); // other tenants are unaffected
        clock.advance(86_400_000);
        await enqueue({ tenant: "acme" });
        const nextDay = await store.tenantCredits({ tenant: "acme", now: clock.now() });
        assert.equal(nextDay.dailyUsed, 1);
        assert.equal(nextDay.monthlyUsed >= 1, true);
      });

      test("the monthly limit holds across days; null clears a limit", async () => {
        await store.setTenantQuota({
          tenant: "m",
          dailyLimit: null,
          monthlyLimit: 2,
          now: clock.now(),
        });
        await enqueue({ tenant: "m" });
        clock.advance(86_400_000);
        await enqueue({ tenant: "m" });
        await assert.rejects(
          store.enqueueJobs({ jobs: [jobInput(clock.now(), { tenant: "m" })], now: clock.now() }),
          QuotaExceededError,
        );
        await store.setTenantQuota({
          tenant: "m",
          dailyLimit: null,
          monthlyLimit: null,
          now: clock.now(),
        });
        await enqueue({ tenant: "m" });
      });
    });

    defineWorkerRegistryConformance({ store: () => store, clock: () => clock });
    defineOldestWaitingConformance({ store: () => store, clock: () => clock });
    defineTenantConformance(() => ({ store, clock }));
    defineJobLogsConformance(() => ({ store, clock }));
    defineEventPayloadConformance(() => ({ store, clock }));
    defineScheduleConformance(() => ({ store, clock }));
    defineWebhookConformance({ store: () => store, clock: () => clock });

    describe("queues and wake-ups", () => {
      test("lists queues that have been used or configured", async () => {
        await enqueue({ queue: "emails" });
        await store.updateQueue({ name: "reports", patch: { concurrency: 3 }, now: clock.now() });
        const queues = await store.listQueues();
        const names = queues.map((q) => q.name);
        assert.ok(names.includes("emails") && names.includes("reports"));
        const reports = queues.find((q) => q.name === "reports")!;
        assert.equal(reports.concurrency, 3);
        assert.equal(reports.paused, false);
        const patched = await store.updateQueue({
          name: "reports",
          patch: { paused: true },
          now: clock.now(),
        });
        assert.equal(patched.concurrency, 3, "a patch leaves other settings alone");
        assert.equal(patched.paused, true);
      });

      test("an enqueue wakes listeners of its queue", async () => {
        const woken = nextEvent<string | null>(
          (listener) => store.onJobsAvailable(listener),
          (queue) => queue === null || queue === "wake",
        );
        await enqueue({ queue: "wake" });
        assert.ok((await woken) === "wake" || (await woken) === null);
      });
    });
  });
}
