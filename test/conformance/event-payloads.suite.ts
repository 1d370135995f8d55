/**
 * Conformance of the event log's payloads (issue 11): every way a store writes a job event is
 * driven here, and the event's `data` must equal — exactly, no field more or less — what
 * `JobEventDataMap` (src/core/events.ts) says for its name. Both stores run it unchanged, so
 * SQLite's TypeScript and PostgreSQL's `json_build_object` build the same payloads. Called from
 * `defineStoreConformance`.
 */
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import type { JobEventDataMap, JobEventName } from "../../src/core/events.js";
import { DEPENDENCY_FAILED } from "../../src/core/flows.js";
import type { ClaimedJob } from "../../src/core/job.js";
import { TIMEOUT_GRACE_MS } from "../../src/core/job.js";
import type { EnqueueOptions, JobInput } from "../../src/core/options.js";
import type { Store, StoredJobEvent } from "../../src/store/store.js";
import { jobInput } from "../helpers/factories.js";
import type { FakeClock } from "../helpers/fake-clock.js";
import { failOneJob } from "../../src/store/shared/failed-attempts.js";

const LEASE_MS = 30_000;
const BOOM = { message: "boom", type: "TypeError", attempt: 1 };

/** Defines the payload tests; `fixtures()` returns the current test's store and clock. */
export function defineEventPayloadConformance(
  fixtures: () => { store: Store; clock: FakeClock },
): void {
  const store = (): Store => fixtures().store;
  const now = (): number => fixtures().clock.now();
  const advance = (ms: number): void => void fixtures().clock.advance(ms);
  let seen = 0;
  /** The events logged since the last call, oldest first. */
  const logged = async (): Promise<StoredJobEvent[]> => {
    const events = await store().readJobEvents({ afterSeq: seen, limit: 100 });
    seen = events.at(-1)?.seq ?? seen;
    return events;
  };
  /** Asserts the one new event: its name, status and exact data (typed by the map). */
  const expectOne = async <K extends JobEventName>(
    name: K,
    status: string,
    data: JobEventDataMap[K],
  ): Promise<void> => {
    const events = await logged();
    assert.deepEqual(
      events.map((e) => [e.name, e.status, e.data]),
      [[name, status, data]],
    );
  };
  const enqueue = async (options: EnqueueOptions = {}, input?: JobInput): Promise<string> => {
    const job = input ?? jobInput(now(), options);
    await store().enqueueJobs({ jobs: [job], now: now() });
    return job.id;
  };
  const claim = async (): Promise<ClaimedJob> => {
    const [job] = await store().claimJobs({
      queues: ["default"],
      workerId: "w1",
      limit: 1,
      leaseMs: LEASE_MS,
      now: now(),
    });
    assert.ok(job, "a job to claim");
    return job;
  };
  /** A job enqueued, then claimed `waitMs` later; its queued and started events checked. */
  const started = async (options: EnqueueOptions = {}, waitMs = 0): Promise<ClaimedJob> => {
    await logged();
    const submittedAt = now();
    await enqueue(options);
    await expectOne("job.queued", "queued", { runAt: submittedAt, reason: "submitted" });
    advance(waitMs);
    const job = await claim();
    await expectOne("job.started", "running", { attempt: 1, worker: "w1", waitMs });
    return job;
  };
  const fail = (job: ClaimedJob, retry: boolean) =>
    failOneJob(store(), {
      id: job.id,
      leaseToken: job.leaseToken,
      error: { ...BOOM, stack: "TypeError: boom\n    at somewhere" },
      outcome: retry ? { status: "retrying", runAt: now() + 5_000 } : { status: "failed" },
      now: now(),
    });

  describe("event payloads", () => {
    beforeEach(() => {
      seen = 0;
    });

    it("job.queued (submitted) and job.started: runAt, reason; attempt, worker, waitMs", async () => {
      await started({}, 1_250);
    });

    it("job.progress: progress and the renewal's message (null when it sent none)", async () => {
      const job = await started();
      const renew = (progress: number, progressMessage?: string | null) =>
        store().extendLeases({
          leases: [
            {
              id: job.id,
              leaseToken: job.leaseToken,
              progress,
              ...(progressMessage === undefined ? {} : { progressMessage }),
            },
          ],
          leaseMs: LEASE_MS,
          now: now(),
        });
      await renew(30, "a third");
      await expectOne("job.progress", "running", { progress: 30, progressMessage: "a third" });
      await renew(40, null);
      await expectOne("job.progress", "running", { progress: 40, progressMessage: null });
      await renew(45, "kept");
      await expectOne("job.progress", "running", { progress: 45, progressMessage: "kept" });
      // No message given: the job keeps its stored one; the event carries null (none was sent).
      await renew(50);
      await expectOne("job.progress", "running", { progress: 50, progressMessage: null });
    });

    it("job.completed: attempt and runMs", async () => {
      const job = await started();
      advance(700);
      await store().completeJobs({
        completions: [{ id: job.id, leaseToken: job.leaseToken, resultJson: '{"ok":true}' }],
        now: now(),
      });
      await expectOne("job.completed", "completed", { attempt: 1, runMs: 700 });
    });

    it("job.retrying and job.failed: attempt, the error without its stack, runAt", async () => {
      const job = await started({ maxAttempts: 2 });
      await fail(job, true);
      await expectOne("job.retrying", "retrying", {
        attempt: 1,
        error: BOOM,
        runAt: now() + 5_000,
      });
      advance(5_000);
      const again = await claim();
      await expectOne("job.started", "running", { attempt: 2, worker: "w1", waitMs: 0 });
      await failOneJob(store(), {
        id: again.id,
        leaseToken: again.leaseToken,
        error: { message: "still", type: "Error", attempt: 2 },
        outcome: { status: "failed" },
        now: now(),
      });
      await expectOne("job.failed", "failed", {
        attempt: 2,
        error: { message: "still", type: "Error", attempt: 2 },
      });
    });

    it("a rescued lease: job.retrying with the recorded TimeoutError and backoff runAt", async () => {
      const job = await started({ timeout: 1_000, maxAttempts: 3 });
      advance(1_000 + TIMEOUT_GRACE_MS);
      await store().rescueExpiredLeases({ now: now(), limit: 10, random: () => 0.5 });
      const [event] = await logged();
      assert.equal(event?.name, "job.retrying");
      const stored = (await store().getJob({ id: job.id }))!;
      const expected: JobEventDataMap["job.retrying"] = {
        attempt: 1,
        error: { message: stored.error!.message, type: "TimeoutError", attempt: 1 },
        runAt: stored.runAt.getTime(),
      };
      assert.deepEqual(event.data, expected);
    });

    it("job.queued (retried, released) and job.cancelled of a waiting job", async () => {
      const job = await started({ maxAttempts: 1 });
      await store().releaseJobs({
        leases: [{ id: job.id, leaseToken: job.leaseToken }],
        now: now(),
      });
      await expectOne("job.queued", "queued", { runAt: job.runAt.getTime(), reason: "released" });
      const again = await claim();
      await expectOne("job.started", "running", { attempt: 1, worker: "w1", waitMs: 0 });
      await fail(again, false);
      await expectOne("job.failed", "failed", { attempt: 1, error: BOOM });
      advance(10);
      await store().retryJob({ id: job.id, now: now() });
      await expectOne("job.queued", "queued", { runAt: now(), reason: "retried" });
      await store().cancelJob({ id: job.id, now: now() });
      await expectOne("job.cancelled", "cancelled", {});
    });

    it("job.cancelled when a requested cancellation meets a release, an ack, a failure", async () => {
      for (const ending of ["release", "complete", "fail"] as const) {
        const job = await started();
        await store().cancelJob({ id: job.id, now: now() });
        assert.deepEqual(await logged(), [], "a running job's cancellation is only a request");
        advance(300);
        if (ending === "release") {
          await store().releaseJobs({
            leases: [{ id: job.id, leaseToken: job.leaseToken }],
            now: now(),
          });
          await expectOne("job.cancelled", "cancelled", {});
        } else if (ending === "complete") {
          await store().completeJobs({
            completions: [{ id: job.id, leaseToken: job.leaseToken, resultJson: null }],
            now: now(),
          });
          await expectOne("job.cancelled", "cancelled", { attempt: 1, runMs: 300 });
        } else {
          await fail(job, true);
          await expectOne("job.cancelled", "cancelled", { attempt: 1, error: BOOM });
        }
      }
    });

    it("dependencies: job.queued (dependencies) and job.cancelled with DependencyFailed", async () => {
      const failing = jobInput(now(), { maxAttempts: 1 });
      const okParent = jobInput(now());
      await store().enqueueFlow({ jobs: [failing, okParent], batch: null, now: now() });
      const children = [
        jobInput(now(), { type: "child.cancelled", dependsOn: [failing.id] }),
        jobInput(now(), { type: "child.released", dependsOn: [okParent.id] }),
      ];
      await store().enqueueFlow({ jobs: children, batch: null, now: now() });
      const parents = await store().claimJobs({
        queues: ["default"],
        workerId: "w1",
        limit: 2,
        leaseMs: LEASE_MS,
        now: now(),
      });
      const parent = parents.find((j) => j.id === failing.id)!;
      const ok = parents.find((j) => j.id === okParent.id)!;
      await fail(parent, false);
      await store().completeJobs({
        completions: [{ id: ok.id, leaseToken: ok.leaseToken, resultJson: null }],
        now: now(),
      });
      await logged();
      advance(20);
      await store().resolveFlows({ now: now(), limit: 100 });
      const events = await logged();
      const byType = new Map(events.map((e) => [e.type, e]));
      const cancelled = byType.get("child.cancelled");
      const released = byType.get("child.released");
      assert.equal(events.length, 2);
      assert.equal(cancelled?.name, "job.cancelled");
      const dependencyError = (cancelled!.data as { error: { message: string } }).error;
      assert.deepEqual(cancelled!.data, {
        error: { message: dependencyError.message, type: DEPENDENCY_FAILED, attempt: 0 },
      } satisfies JobEventDataMap["job.cancelled"]);
      assert.ok(dependencyError.message.includes(parent.id));
      assert.equal(released?.name, "job.queued");
      assert.deepEqual(released!.data, {
        runAt: now(),
        reason: "dependencies",
      } satisfies JobEventDataMap["job.queued"]);
    });
  });
}
