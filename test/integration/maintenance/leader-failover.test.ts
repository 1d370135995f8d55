/**
 * Maintenance leadership with real processes (docs/design.md "One maintenance leader per
 * store"): three maintenance-only processes share one store (an SQLite file, a PostgreSQL
 * schema). Exactly one leads and only the leader runs rounds; when it is SIGKILLed another takes
 * over within two lease periods and rescues the jobs a dead worker left behind, each exactly once
 * (the rescue counts the processes report add up to the abandoned jobs, and the store's event log
 * holds one rescue per job); a graceful stop hands the leadership over at once.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { Spool } from "../../../src/index.js";
import type { Store } from "../../../src/store/store.js";
import type { MaintenanceProcessConfig } from "../../helpers/maintenance-process.js";
import { createSchemaFixture } from "../../helpers/postgres.js";
import { helperPath, spawnTs, stopChild, waitForLine } from "../../helpers/processes.js";
import { tempDir } from "../../helpers/temp-dir.js";
import { jobInput } from "../../helpers/factories.js";
import { waitFor } from "../../helpers/wait-for.js";

const LEADER_LEASE_MS = 2_000;
const ABANDONED = 6;

type Child = ReturnType<typeof spawnTs>;
interface Line {
  event: "leader" | "follower" | "round";
  service?: string;
  count?: number;
  pid: number;
  at: number;
}

const parsed = (child: Child): Line[] =>
  child.lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Line);
const leads = (child: Child): Line | undefined => parsed(child).find((l) => l.event === "leader");

interface Target {
  name: string;
  create: () => {
    config: Omit<MaintenanceProcessConfig, "leaderLeaseMs">;
    open: () => Promise<Spool>;
    drop: () => Promise<void>;
  };
}

const targets: Target[] = [
  {
    name: "SQLite",
    create: () => {
      const url = `sqlite:${join(tempDir(), "spool.db")}`;
      return {
        config: { url },
        open: () => Spool.open({ url, maintenance: false }),
        drop: async () => undefined,
      };
    },
  },
  {
    name: "PostgreSQL",
    create: () => {
      const fixture = createSchemaFixture();
      return {
        config: { url: fixture.url, schema: fixture.schema },
        open: () => Spool.open({ store: fixture.openStore(), maintenance: false }),
        drop: () => fixture.drop(),
      };
    },
  },
];

for (const target of targets) {
  describe(`maintenance leader failover: ${target.name}`, () => {
    const children: Child[] = [];
    let cleanup: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await Promise.all(children.splice(0).map((child) => stopChild(child, "SIGKILL")));
      await cleanup?.();
    });

    it("one leader; SIGKILL it and another takes over within two leases; nothing rescued twice", async () => {
      const setup = target.create();
      const spool = await setup.open(); // migrates before the children start
      cleanup = async () => {
        await spool.close();
        await setup.drop();
      };
      const config: MaintenanceProcessConfig = { ...setup.config, leaderLeaseMs: LEADER_LEASE_MS };
      for (let i = 0; i < 3; i++)
        children.push(
          spawnTs(helperPath("maintenance-process.ts"), {
            SPOOL_TEST_MAINTENANCE: JSON.stringify(config),
          }),
        );
      await Promise.all(children.map((child) => waitForLine(child, "ready")));
      const leader = await waitFor(() => children.find(leads), {
        timeoutMs: 30_000,
        message: "a leader",
      });
      assert.equal(children.filter(leads).length, 1, "exactly one leader");

      // The leader dies; a worker (this test, claiming by hand) dies with jobs claimed.
      assert.equal(await stopChild(leader, "SIGKILL"), null);
      const killedAt = Date.now();
      const abandoned = await abandonJobs(spool.store, ABANDONED);
      const survivors = children.filter((child) => child !== leader);
      const next = await waitFor(() => survivors.find(leads), {
        timeoutMs: 30_000,
        message: "a new leader",
      });
      const takeoverMs = leads(next)!.at - killedAt;
      console.log(
        `${target.name}: takeover ${takeoverMs} ms after SIGKILL (lease ${LEADER_LEASE_MS} ms)`,
      );
      assert.ok(takeoverMs < 2 * LEADER_LEASE_MS, `took over after ${takeoverMs} ms`);

      // Every abandoned job is rescued, exactly once.
      await waitFor(
        async () => {
          const jobs = await Promise.all(abandoned.map((id) => spool.store.getJob({ id })));
          return jobs.every((job) => job !== null && job.status !== "running");
        },
        { timeoutMs: 30_000, message: "the abandoned jobs rescued" },
      );
      const rescues = (await spool.store.readJobEvents({ afterSeq: 0, limit: 10_000 })).filter(
        (e) => e.name === "job.retrying",
      );
      assert.deepEqual(
        rescues.map((e) => e.jobId).sort(),
        [...abandoned].sort(),
        "one rescue per job",
      );
      // The rescuer logs its round after the store call returns, so its line can arrive on the
      // pipe after the jobs are seen rescued: wait for the lines, then count them exactly.
      const rescuedInRounds = (): number =>
        children
          .flatMap(parsed)
          .filter((l) => l.event === "round" && l.service === "lease-rescuer")
          .reduce((sum, l) => sum + l.count!, 0);
      await waitFor(() => rescuedInRounds() >= ABANDONED, {
        timeoutMs: 30_000,
        message: "the rescuer's rounds logged",
      });
      assert.equal(rescuedInRounds(), ABANDONED, "rescued once in all");

      // Only leaders ran rounds: every process's rounds follow its own leadership.
      for (const child of children) {
        const lines = parsed(child);
        const since = lines.find((l) => l.event === "leader")?.at ?? Infinity;
        for (const line of lines.filter((l) => l.event === "round"))
          assert.ok(line.at >= since, `pid ${line.pid} ran ${line.service} without leading`);
      }

      // A graceful stop releases the leadership: the last process takes it without waiting.
      const last = survivors.find((child) => child !== next)!;
      assert.equal(leads(last), undefined);
      assert.equal(await stopChild(next, "SIGTERM"), 0);
      await waitFor(() => leads(last), { timeoutMs: 30_000, message: "the last process leads" });
    });
  });
}

/** Enqueues `count` jobs and claims them with a short lease that nobody renews. */
async function abandonJobs(store: Store, count: number): Promise<string[]> {
  const now = Date.now();
  const inputs = Array.from({ length: count }, () =>
    jobInput(now, { type: "crash.job", maxAttempts: 3 }),
  );
  await store.enqueueJobs({ jobs: inputs, now });
  const claimed = await store.claimJobs({
    queues: ["default"],
    workerId: "dead",
    limit: count,
    leaseMs: 200,
    now,
  });
  assert.equal(claimed.length, count);
  return claimed.map((job) => job.id);
}
