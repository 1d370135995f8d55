/**
 * Store conformance of cron schedules (SPEC §8): saving, reading, pausing, and the tick guard
 * that makes every tick enqueue exactly once — driven through the cron enqueuer with a fake
 * clock. Called from `defineStoreConformance`, so every store runs it unchanged.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { uuidv7 } from "../../src/core/ids.js";
import {
  tickJob,
  validateSchedule,
  type ScheduleOptions,
  type ScheduleRecord,
} from "../../src/core/schedule.js";
import { CronEnqueuer } from "../../src/maintenance/cron-enqueuer.js";
import type { Store } from "../../src/store/store.js";
import type { FakeClock } from "../helpers/fake-clock.js";

const MINUTE = 60_000;

/** The suite's fixtures, read when each test runs (they are fresh per test). */
export interface ScheduleFixtures {
  store: Store;
  clock: FakeClock;
}

/** Defines the schedule tests inside a store's conformance suite. */
export function defineScheduleConformance(fixtures: () => ScheduleFixtures): void {
  const now = (): number => fixtures().clock.now();
  const save = (name: string, cron: string, options: ScheduleOptions = {}) => {
    const schedule = validateSchedule(
      { name, cron, type: "report.build", payload: { n: 1 }, options },
      { now: now(), maxPayloadBytes: 1_000_000 },
    );
    return fixtures().store.saveSchedule({ schedule, now: now() });
  };
  const jobsOf = async (name: string) => {
    const { jobs } = await fixtures().store.listJobs({ limit: 1000 });
    return jobs
      .filter((job) => job.uniqueKey?.startsWith(`schedule:${name}:`))
      .sort((a, b) => a.runAt.getTime() - b.runAt.getTime());
  };
  const enqueuer = () => new CronEnqueuer({ store: fixtures().store });

  describe("cron schedules", () => {
    it("creates a schedule with its first tick after now, then replaces it", async () => {
      const created = await save("nightly", "0 3 * * *", {
        queue: "reports",
        priority: 5,
        maxAttempts: 2,
        timeout: 60_000,
        tags: ["cron"],
        tenant: "acme",
      });
      assert.equal(created.created, true);
      const s = created.schedule;
      assert.equal(s.tenant, "acme");
      assert.equal(s.cron, "0 3 * * *");
      assert.equal(s.timezone, "UTC");
      assert.equal(s.queue, "reports");
      assert.deepEqual(s.payload, { n: 1 });
      assert.deepEqual(s.options, {
        priority: 5,
        maxAttempts: 2,
        timeout: 60_000,
        tags: ["cron"],
        backoff: {},
        webhookUrl: null,
      });
      assert.equal(s.paused, false);
      assert.equal(s.revision, 1);
      assert.equal(s.lastRunAt, null);
      assert.equal(s.nextRunAt?.toISOString(), "2030-01-01T03:00:00.000Z");
      const replaced = await save("nightly", "30 4 * * *", {
        tenant: "acme",
        timezone: "Europe/Berlin",
      });
      assert.equal(replaced.created, false);
      assert.equal(replaced.schedule.revision, 2);
      assert.equal(replaced.schedule.queue, "default");
      assert.equal(replaced.schedule.nextRunAt?.toISOString(), "2030-01-01T03:30:00.000Z");
      assert.deepEqual(await fixtures().store.getSchedule({ tenant: "acme", name: "nightly" }), {
        ...replaced.schedule,
      });
    });

    it("keeps each tenant's names apart, lists by tenant and deletes", async () => {
      await save("a", "* * * * *", { tenant: "t1" });
      await save("a", "*/5 * * * *", { tenant: "t2" });
      await save("b", "* * * * *", { tenant: "t1" });
      const { store } = fixtures();
      assert.equal((await store.getSchedule({ tenant: "t2", name: "a" }))?.cron, "*/5 * * * *");
      assert.equal(await store.getSchedule({ tenant: "t2", name: "b" }), null);
      const names = (list: ScheduleRecord[]) => list.map((s) => `${s.tenant}/${s.name}`);
      assert.deepEqual(names(await store.listSchedules({})), ["t1/a", "t1/b", "t2/a"]);
      assert.deepEqual(names(await store.listSchedules({ tenant: "t1" })), ["t1/a", "t1/b"]);
      assert.equal(await store.deleteSchedule({ tenant: "t1", name: "a" }), true);
      assert.equal(await store.deleteSchedule({ tenant: "t1", name: "a" }), false);
      assert.deepEqual(names(await store.listSchedules({})), ["t1/b", "t2/a"]);
    });

    it("enqueues one job per tick, with the tick's unique key and run time", async () => {
      await save("every-minute", "* * * * *");
      const { clock } = fixtures();
      assert.equal(await enqueuer().runOnce(now()), 0, "nothing is due before the first tick");
      clock.advance(MINUTE + 5_000);
      assert.equal(await enqueuer().runOnce(now()), 1);
      assert.equal(await enqueuer().runOnce(now()), 0, "the same tick is not enqueued twice");
      const [job, ...rest] = await jobsOf("every-minute");
      assert.equal(rest.length, 0);
      assert.equal(job!.uniqueKey, "schedule:every-minute:2030-01-01T00:01:00.000Z");
      assert.equal(job!.runAt.toISOString(), "2030-01-01T00:01:00.000Z");
      assert.equal(job!.type, "report.build");
      assert.deepEqual(job!.payload, { n: 1 });
      const after = await fixtures().store.getSchedule({ tenant: "default", name: "every-minute" });
      assert.equal(after?.lastRunAt?.toISOString(), "2030-01-01T00:01:00.000Z");
      assert.equal(after?.lastJobId, job!.id);
      assert.equal(after?.nextRunAt?.toISOString(), "2030-01-01T00:02:00.000Z");
    });

    it("after downtime enqueues only the latest missed tick", async () => {
      await save("catch-up", "* * * * *");
      fixtures().clock.advance(10 * MINUTE + 30_000);
      assert.equal(await enqueuer().runOnce(now()), 1);
      const jobs = await jobsOf("catch-up");
      assert.deepEqual(
        jobs.map((job) => job.uniqueKey),
        ["schedule:catch-up:2030-01-01T00:10:00.000Z"],
      );
    });

    it("never enqueues a tick twice, however many enqueuers race or however late", async () => {
      await save("racy", "*/10 * * * * *");
      const { clock, store } = fixtures();
      for (let tick = 0; tick < 6; tick++) {
        clock.advance(10_000);
        const at = now();
        const counts = await Promise.all(Array.from({ length: 4 }, () => enqueuer().runOnce(at)));
        assert.equal(
          counts.reduce((a, b) => a + b, 0),
          1,
          `tick ${tick}: one enqueuer wins`,
        );
      }
      const keys = (await jobsOf("racy")).map((job) => job.uniqueKey);
      assert.equal(keys.length, 6);
      assert.equal(new Set(keys).size, 6);
      // The job of a tick may be long finished (its unique key free again): the recorded tick
      // still refuses a stale enqueuer that computed the same tick.
      const schedule = (await store.getSchedule({ tenant: "default", name: "racy" }))!;
      const lastTick = schedule.lastRunAt!.getTime();
      const replay = await store.enqueueScheduledJob({
        tenant: "default",
        name: "racy",
        revision: schedule.revision,
        tickAt: lastTick,
        nextRunAt: lastTick + 10_000,
        job: tickJob(schedule, lastTick, uuidv7(now())),
        now: now(),
      });
      assert.equal(replay, null);
      assert.equal((await jobsOf("racy")).length, 6);
    });

    it("refuses a tick computed from a replaced definition", async () => {
      const { schedule } = await save("changing", "* * * * *");
      fixtures().clock.advance(MINUTE);
      await save("changing", "*/2 * * * *");
      const tickAt = Date.UTC(2030, 0, 1, 0, 1);
      const outcome = await fixtures().store.enqueueScheduledJob({
        tenant: "default",
        name: "changing",
        revision: schedule.revision,
        tickAt,
        nextRunAt: tickAt + MINUTE,
        job: tickJob(schedule, tickAt, uuidv7(now())),
        now: now(),
      });
      assert.equal(outcome, null);
      assert.equal((await jobsOf("changing")).length, 0);
    });

    it("enqueues nothing while paused, and resumes from the first tick after now", async () => {
      await save("pausable", "* * * * *");
      const { store, clock } = fixtures();
      const paused = await store.setSchedulePaused({
        tenant: "default",
        name: "pausable",
        paused: true,
        nextRunAt: null,
        now: now(),
      });
      assert.equal(paused?.paused, true);
      assert.equal(paused?.nextRunAt?.toISOString(), "2030-01-01T00:01:00.000Z");
      clock.advance(5 * MINUTE);
      assert.deepEqual(await store.dueSchedules({ now: now(), limit: 10 }), []);
      assert.equal(await enqueuer().runOnce(now()), 0);
      const resumed = await store.setSchedulePaused({
        tenant: "default",
        name: "pausable",
        paused: false,
        nextRunAt: now() + MINUTE,
        now: now(),
      });
      assert.equal(resumed?.paused, false);
      assert.equal(resumed?.nextRunAt?.getTime(), now() + MINUTE);
      assert.equal(await enqueuer().runOnce(now()), 0, "the pause's ticks are skipped");
      clock.advance(MINUTE);
      assert.equal(await enqueuer().runOnce(now()), 1);
      assert.equal(
        await store.setSchedulePaused({
          tenant: "other",
          name: "pausable",
          paused: true,
          nextRunAt: null,
          now: now(),
        }),
        null,
      );
    });
  });
}
