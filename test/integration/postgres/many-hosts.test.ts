/**
 * Several stores on one schema stand in for several hosts (each has its own pool): claims never
 * overlap, a queue's concurrency limit and pause hold across all of them, and readers of the
 * job-event log see every event of concurrent writers exactly once, in increasing `seq` order.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { ClaimedJob } from "../../../src/core/job.js";
import type { PostgresStore } from "../../../src/store/postgres/postgres-store.js";
import { jobInput } from "../../helpers/factories.js";
import { createSchemaFixture, type SchemaFixture } from "../../helpers/postgres.js";

const LEASE_MS = 30_000;

describe("many hosts on one schema (PostgreSQL)", () => {
  let fixture: SchemaFixture;
  let hosts: PostgresStore[];
  const now = Date.UTC(2030, 0, 1);

  beforeEach(async () => {
    fixture = createSchemaFixture();
    hosts = Array.from({ length: 4 }, () => fixture.openStore({ poolSize: 3 }));
    await Promise.all(hosts.map((host) => host.migrate()));
  });
  afterEach(async () => {
    await fixture.drop();
  });

  const enqueue = async (count: number, queue = "default") => {
    const jobs = Array.from({ length: count }, (_, i) => jobInput(now, { queue, payload: { i } }));
    return hosts[0]!.enqueueJobs({ jobs, now });
  };
  const claimRound = (queue: string, limit: number): Promise<ClaimedJob[][]> =>
    Promise.all(
      hosts.flatMap((host, h) =>
        [0, 1].map((c) =>
          host.claimJobs({
            queues: [queue],
            workerId: `h${h}c${c}`,
            limit,
            leaseMs: LEASE_MS,
            now,
          }),
        ),
      ),
    );

  it("racing claimers on every host take disjoint jobs, and all of them", async () => {
    await enqueue(400);
    const claimed: string[] = [];
    for (let round = 0; round < 10 && claimed.length < 400; round++) {
      for (const jobs of await claimRound("default", 25)) claimed.push(...jobs.map((j) => j.id));
    }
    assert.equal(claimed.length, 400);
    assert.equal(new Set(claimed).size, 400, "no job handed out twice");
  });

  it("a queue's concurrency limit holds across hosts", async () => {
    await enqueue(40, "limited");
    await hosts[1]!.updateQueue({ name: "limited", patch: { concurrency: 3 }, now });
    const first = (await claimRound("limited", 5)).flat();
    assert.equal(first.length, 3, "8 racing claimers on 4 hosts got 3 jobs in all");
    assert.equal((await claimRound("limited", 5)).flat().length, 0);
    await hosts[2]!.completeJobs({
      completions: first
        .slice(0, 2)
        .map((job) => ({ id: job.id, leaseToken: job.leaseToken, resultJson: null })),
      now,
    });
    assert.equal((await claimRound("limited", 5)).flat().length, 2);
    await hosts[3]!.updateQueue({ name: "limited", patch: { paused: true }, now });
    await hosts[3]!.updateQueue({ name: "limited", patch: { concurrency: null }, now });
    assert.equal((await claimRound("limited", 5)).flat().length, 0, "paused everywhere");
  });

  it("event readers see every event of concurrent writers once, in seq order", async () => {
    const start = await hosts[0]!.latestJobEventSeq();
    const seen: number[] = [];
    let cursor = start;
    let writing = true;
    const reader = (async () => {
      // Read while the writers write: a seq, once seen, must never be followed by a smaller one.
      while (writing) {
        const events = await hosts[3]!.readJobEvents({ afterSeq: cursor, limit: 100 });
        for (const event of events) seen.push(event.seq);
        if (events.length > 0) cursor = events[events.length - 1]!.seq;
      }
    })();
    await Promise.all(
      [0, 1, 2].map(async (h) => {
        for (let i = 0; i < 30; i++) {
          const queue = `q${h}`;
          const [outcome] = await hosts[h]!.enqueueJobs({ jobs: [jobInput(now, { queue })], now });
          const [job] = await hosts[h]!.claimJobs({
            queues: [queue],
            workerId: `w${h}`,
            limit: 1,
            leaseMs: LEASE_MS,
            now,
          });
          assert.ok(outcome && job);
          await hosts[h]!.completeJobs({
            completions: [{ id: job.id, leaseToken: job.leaseToken, resultJson: null }],
            now,
          });
        }
      }),
    );
    writing = false;
    await reader;
    for (const event of await hosts[3]!.readJobEvents({ afterSeq: cursor, limit: 1_000 }))
      seen.push(event.seq);
    assert.equal(seen.length, 3 * 30 * 3, "queued, started and completed of every job");
    assert.ok(
      seen.every((seq, i) => seq === start + i + 1),
      "gap-free and increasing",
    );
  });
});
