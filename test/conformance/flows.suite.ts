/**
 * Conformance of dependencies and batches (SPEC §8): held children, release when every parent
 * completed, `DependencyFailed` cancellation cascading to grandchildren, parents' results,
 * validation that stores nothing, and batches whose `on_complete` is enqueued exactly once.
 * Called from `defineStoreConformance`, so every store runs it unchanged.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SpoolValidationError } from "../../src/core/errors.js";
import { DEPENDENCY_HOLD_RUN_AT, DEPENDENCY_FAILED } from "../../src/core/flows.js";
import { uuidv7 } from "../../src/core/ids.js";
import type { JobRecord } from "../../src/core/job.js";
import type { JobInput } from "../../src/core/options.js";
import type { BatchInput } from "../../src/store/flow-types.js";
import type { Store } from "../../src/store/store.js";
import { jobInput } from "../helpers/factories.js";
import type { FakeClock } from "../helpers/fake-clock.js";
import { failOneJob } from "../../src/store/shared/failed-attempts.js";

/** The suite's fixtures, read when each test runs (they are fresh per test). */
export interface FlowFixtures {
  store: Store;
  clock: FakeClock;
}

const LEASE_MS = 30_000;

/** Defines the flow and batch tests inside a store's conformance suite. */
export function defineFlowConformance(fixtures: () => FlowFixtures): void {
  describe("dependencies and batches", () => {
    const input = (opts: Parameters<typeof jobInput>[1] = {}): JobInput =>
      jobInput(fixtures().clock.now(), opts);
    const flow = async (
      jobs: JobInput[],
      batch: BatchInput | null = null,
    ): Promise<JobRecord[]> => {
      const { store, clock } = fixtures();
      const outcomes = await store.enqueueFlow({ jobs, batch, now: clock.now() });
      return outcomes.map((o) => o.job);
    };
    const get = async (id: string): Promise<JobRecord> => {
      const job = await fixtures().store.getJob({ id });
      assert.ok(job, `job ${id} exists`);
      return job;
    };
    /** Claims and completes `ids` (and only them) with `{ n: <index> }` results. */
    const complete = async (ids: readonly string[]): Promise<void> => {
      const { store, clock } = fixtures();
      const claimed = await store.claimJobs({
        queues: ["default"],
        workerId: "w1",
        limit: ids.length,
        leaseMs: LEASE_MS,
        now: clock.now(),
      });
      assert.deepEqual(claimed.map((j) => j.id).sort(), [...ids].sort());
      await store.completeJobs({
        completions: claimed.map((job) => ({
          id: job.id,
          leaseToken: job.leaseToken,
          resultJson: JSON.stringify({ n: ids.indexOf(job.id) }),
        })),
        now: clock.now(),
      });
    };
    const resolve = () => {
      const { store, clock } = fixtures();
      return store.resolveFlows({ now: clock.now(), limit: 500 });
    };
    const countAll = async (): Promise<number> => {
      const counts = await fixtures().store.countJobsByState({});
      return Object.values(counts).reduce((a, b) => a + b, 0);
    };

    it("a child waits, held, until every parent completed, then sees their results in order", async () => {
      const { store, clock } = fixtures();
      const parents = await flow([input(), input(), input()]);
      const [child] = await flow([input({ dependsOn: parents.map((p) => p.id), type: "child" })]);
      assert.equal(child!.status, "scheduled");
      assert.equal(child!.runAt.getTime(), DEPENDENCY_HOLD_RUN_AT);
      assert.deepEqual(await store.readJobLinks({ id: child!.id }), {
        batchId: null,
        dependsOn: parents.map((p) => p.id),
        waitingOn: 3,
      });
      await complete(parents.slice(0, 2).map((p) => p.id));
      assert.equal((await resolve()).released, 0, "one parent still runs");
      assert.equal((await store.promoteDueJobs({ now: clock.now(), limit: 100 })).length, 0);
      assert.equal((await store.readJobLinks({ id: child!.id })).waitingOn, 1);
      await complete([parents[2]!.id]);
      assert.equal((await resolve()).released, 1);
      assert.equal((await get(child!.id)).status, "queued");
      assert.equal((await resolve()).released, 0, "released once");
      const results = await store.readParentResults({ ids: [child!.id, parents[0]!.id] });
      assert.deepEqual(
        results.get(child!.id)!.map((p) => [p.id, p.status, p.result]),
        [
          [parents[0]!.id, "completed", { n: 0 }],
          [parents[1]!.id, "completed", { n: 1 }],
          [parents[2]!.id, "completed", { n: 0 }],
        ],
      );
      assert.equal(results.has(parents[0]!.id), false, "a job without parents is absent");
      assert.equal((await store.readJobLinks({ id: child!.id })).waitingOn, 0);
    });

    it("claims say which jobs have parents, so workers read `ctx.parents` only for those", async () => {
      const { store, clock } = fixtures();
      const [, child] = await flow([input(), input({ dependsOn: ["$0"] })]);
      await store.enqueueJobs({ jobs: [input()], now: clock.now() });
      const claim = () =>
        store.claimJobs({
          queues: ["default"],
          workerId: "w1",
          limit: 5,
          leaseMs: LEASE_MS,
          now: clock.now(),
        });
      const first = await claim();
      assert.equal(first.length, 2, "the parent and the plain job; the child is held");
      assert.deepEqual(
        first.map((job) => job.hasParents),
        [false, false],
      );
      await store.completeJobs({
        completions: first.map((job) => ({
          id: job.id,
          leaseToken: job.leaseToken,
          resultJson: "1",
        })),
        now: clock.now(),
      });
      assert.equal((await resolve()).released, 1);
      const [released] = await claim();
      assert.equal(released!.id, child!.id);
      assert.equal(released!.hasParents, true);
    });

    it("a failed or cancelled parent cancels the child with DependencyFailed, cascading", async () => {
      const { store, clock } = fixtures();
      const [parent, child, grandchild] = await flow([
        input(),
        input({ dependsOn: ["$0"] }),
        input({ dependsOn: ["$1"] }),
      ]);
      const [claimed] = await store.claimJobs({
        queues: ["default"],
        workerId: "w1",
        limit: 5,
        leaseMs: LEASE_MS,
        now: clock.now(),
      });
      assert.equal(claimed!.id, parent!.id, "held children are never claimed");
      await failOneJob(store, {
        id: parent!.id,
        leaseToken: claimed!.leaseToken,
        error: { message: "boom", type: "Error", attempt: 1 },
        outcome: { status: "failed" },
        now: clock.now(),
      });
      assert.equal((await resolve()).cancelled, 1);
      const cancelled = await get(child!.id);
      assert.equal(cancelled.status, "cancelled");
      assert.equal(cancelled.error?.type, DEPENDENCY_FAILED);
      assert.match(cancelled.error!.message, new RegExp(parent!.id));
      assert.equal((await get(grandchild!.id)).status, "scheduled", "next round");
      assert.equal((await resolve()).cancelled, 1);
      assert.equal((await get(grandchild!.id)).error?.type, DEPENDENCY_FAILED);
      // A parent retried by hand does not bring its cancelled children back.
      await store.retryJob({ id: parent!.id, now: clock.now() });
      await resolve();
      assert.equal((await get(child!.id)).status, "cancelled");
    });

    it("retention never prunes a parent of a held job", async () => {
      const { store, clock } = fixtures();
      const [done, unrelated, running] = await flow([input(), input(), input()]);
      const [child] = await flow([input({ dependsOn: [done!.id, running!.id] })]);
      await complete([done!.id]);
      await complete([unrelated!.id]);
      const prune = () =>
        store.pruneFinishedJobs({
          completedBefore: clock.now() + 1,
          failedBefore: clock.now() + 1,
          cancelledBefore: clock.now() + 1,
          limit: 100,
        });
      assert.equal(await prune(), 1, "only the unrelated job");
      assert.equal((await get(done!.id)).status, "completed");
      await complete([running!.id]);
      assert.equal((await resolve()).released, 1);
      assert.equal((await get(child!.id)).status, "queued");
      assert.equal(await prune(), 2, "prunable once the child is released");
    });

    it("a child whose parents completed before it was submitted is queued at once", async () => {
      const { store } = fixtures();
      const [parent] = await flow([input()]);
      await complete([parent!.id]);
      const [child] = await flow([input({ dependsOn: [parent!.id] })]);
      assert.equal(child!.status, "queued");
      assert.equal((await store.readParentResults({ ids: [child!.id] })).get(child!.id)?.length, 1);
    });

    it("a held child cancelled by hand stays cancelled and is dropped from the waits", async () => {
      const { store, clock } = fixtures();
      const [parent, child] = await flow([input(), input({ dependsOn: ["$0"] })]);
      await store.cancelJob({ id: child!.id, now: clock.now() });
      await complete([parent!.id]);
      assert.deepEqual(
        { released: (await resolve()).released },
        { released: 0 },
        "nothing to release",
      );
      assert.equal((await get(child!.id)).status, "cancelled");
      assert.equal((await get(child!.id)).error, null);
    });

    it("unknown ids, other tenants' ids and forward or self references store nothing", async () => {
      const { store } = fixtures();
      const [foreign] = await flow([input({ tenant: "other" })]);
      const cases: [JobInput[], string][] = [
        [[input(), input({ dependsOn: [uuidv7(1)] })], "jobs[1].dependsOn[0]"],
        [[input(), input({ dependsOn: [foreign!.id] })], "jobs[1].dependsOn[0]"],
        [[input({ dependsOn: ["$1"] }), input()], "jobs[0].dependsOn[0]"],
        [[input(), input({ dependsOn: ["$0", "$1"] })], "jobs[1].dependsOn[1]"],
      ];
      for (const [jobs, field] of cases) {
        const named = jobs.map((job, i) =>
          job.dependsOn === undefined ? job : { ...job, dependsOnField: `jobs[${i}].dependsOn` },
        );
        await assert.rejects(
          store.enqueueFlow({ jobs: named, batch: null, now: fixtures().clock.now() }),
          (error: unknown) => error instanceof SpoolValidationError && error.field === field,
          field,
        );
      }
      const unknown = await store
        .enqueueFlow({ jobs: [input({ dependsOn: [uuidv7(1)] })], batch: null, now: 1 })
        .catch((e: unknown) => e);
      const other = await store
        .enqueueFlow({ jobs: [input({ dependsOn: [foreign!.id] })], batch: null, now: 1 })
        .catch((e: unknown) => e);
      assert.equal((unknown as Error).message, (other as Error).message, "no difference leaks");
      assert.equal(await countAll(), 1, "only the foreign job exists");
    });

    it("a batch counts its jobs by state and enqueues on_complete exactly once", async () => {
      const { store, clock } = fixtures();
      const onComplete = input({ type: "batch.done", payload: { x: 1 } });
      const { id: _id, ...rest } = onComplete;
      const batch: BatchInput = { id: uuidv7(clock.now()), tenant: "default", onComplete: rest };
      const jobs = await flow([input(), input(), input(), input()], batch);
      let record = await store.getBatch({ id: batch.id });
      assert.equal(record?.total, 4);
      assert.equal(record?.counts.queued, 4);
      assert.equal(record?.progress, 0);
      assert.equal((await store.readJobLinks({ id: jobs[0]!.id })).batchId, batch.id);
      assert.equal(await store.getBatch({ id: batch.id, tenant: "other" }), null);
      await complete(jobs.slice(0, 3).map((j) => j.id));
      assert.equal((await resolve()).batchesFinished, 0);
      record = await store.getBatch({ id: batch.id });
      assert.deepEqual([record?.counts.completed, record?.finished, record?.progress], [3, 3, 75]);
      await store.cancelJob({ id: jobs[3]!.id, now: clock.now() });
      // Two rounds at once (two connections on PostgreSQL): one on_complete job between them.
      const rounds = await Promise.all([resolve(), resolve(), resolve()]);
      const fired = rounds.flatMap((r) => r.onCompleteJobs);
      assert.equal(fired.length, 1);
      assert.equal(fired[0]!.type, "batch.done");
      assert.deepEqual(fired[0]!.payload, { x: 1 });
      assert.equal((await resolve()).onCompleteJobs.length, 0);
      record = await store.getBatch({ id: batch.id });
      assert.equal(record?.onCompleteJobId, fired[0]!.id);
      assert.equal(record?.progress, 100);
      assert.ok(record?.finishedAt instanceof Date);
      assert.equal((await store.listJobs({ type: "batch.done", limit: 10 })).jobs.length, 1);
    });

    it("a batch with dependencies by index is stored all or nothing", async () => {
      const { store, clock } = fixtures();
      const batch: BatchInput = { id: uuidv7(clock.now()), tenant: "default", onComplete: null };
      await assert.rejects(
        store.enqueueFlow({
          jobs: [input(), { ...input({ dependsOn: ["$0", uuidv7(5)] }), dependsOnField: "x" }],
          batch,
          now: clock.now(),
        }),
        (error: unknown) => error instanceof SpoolValidationError && error.field === "x[1]",
      );
      assert.equal(await store.getBatch({ id: batch.id }), null);
      assert.equal(await countAll(), 0);
      const [parent, child] = await flow([input(), input({ dependsOn: ["$0"] })], batch);
      assert.deepEqual((await store.readJobLinks({ id: child!.id })).dependsOn, [parent!.id]);
      await complete([parent!.id]);
      const round = await resolve();
      assert.equal(round.released, 1);
      assert.equal(round.batchesFinished, 0, "the child is not final yet");
    });
  });
}
