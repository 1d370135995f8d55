/**
 * PostgreSQL under churn (issue 15): the pending-event slots rotate and are emptied with
 * TRUNCATE while writers and a reader run, with every event read exactly once and in order;
 * heartbeats are HOT updates; the store reports dead rows and vacuums them away; the table
 * vacuumer acts on that (the count deltas included) and SQLite has nothing to do.
 */
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { TableVacuumer } from "../../../src/maintenance/table-vacuumer.js";
import { jobInput } from "../../helpers/factories.js";
import {
  adminQuery,
  openTestPostgresStore,
  type TestPostgresStore,
} from "../../helpers/postgres.js";
import { waitFor } from "../../helpers/wait-for.js";

describe("PostgreSQL under churn", () => {
  const stores: TestPostgresStore[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });

  async function open(): Promise<TestPostgresStore> {
    const store = await openTestPostgresStore({ poolSize: 6 });
    stores.push(store);
    return store;
  }

  it("rotates the pending-event slots under load; every event is read once, in order", async () => {
    const store = await open();
    const now = Date.now();
    // More than one slot's worth (50,000), written by 4 concurrent writers while a reader reads.
    const total = 56_000;
    let written = 0;
    const writer = async (): Promise<void> => {
      while (written < total) {
        written += 1_000;
        const jobs = Array.from({ length: 1_000 }, () => jobInput(now));
        await store.enqueueJobs({ jobs, now });
      }
    };
    const seen: number[] = [];
    let after = 0;
    let writing = true;
    const reader = async (): Promise<void> => {
      while (writing || seen.length < written) {
        const events = await store.readJobEvents({ afterSeq: after, limit: 5_000 });
        for (const event of events) seen.push(event.seq);
        if (events.length > 0) after = events.at(-1)!.seq;
      }
    };
    const reading = reader();
    await Promise.all([writer(), writer(), writer(), writer()]);
    writing = false;
    await reading;
    assert.equal(seen.length, written);
    assert.ok(
      seen.every((seq, i) => i === 0 || seq > seen[i - 1]!),
      "seq strictly increasing",
    );
    // One more publication drains the slot writers left; it is emptied by TRUNCATE. A writer
    // whose statement read the slot before the switch committed, but reached the partition only
    // after the drain had locked it, waits for the drain and then lands its batch in the emptied
    // slot: a straggler, published like any other event and truncated at that slot's next drain.
    // So at most one batch per writer (4 × 1,000) may be left there, and nothing unpublished.
    await store.enqueueJobs({ jobs: [jobInput(now)], now });
    await store.readJobEvents({ afterSeq: after, limit: 10 });
    const state = await adminQuery<{ slot: number; draining: boolean; left: string }>(
      `SELECT slot, draining, (SELECT coalesce(sum(cardinality(name)), 0) FROM "${store.schema}".job_events_pending_0) AS left
       FROM "${store.schema}".job_event_slot`,
    );
    const { slot, draining, left } = state.rows[0]!;
    assert.deepEqual({ slot, draining }, { slot: 1, draining: false });
    assert.ok(Number(left) <= 4_000, `${left} events left in the drained slot`);
    assert.equal(await store.latestJobEventSeq(), written + 1);
  });

  it("renews leases as HOT updates, reports dead rows and vacuums them", async () => {
    const store = await open();
    const now = Date.now();
    await store.enqueueJobs({ jobs: Array.from({ length: 200 }, () => jobInput(now)), now });
    const claimed = await store.claimJobs({
      queues: ["default"],
      limit: 200,
      workerId: "w",
      now,
      leaseMs: 30_000,
    });
    assert.equal(claimed.length, 200);
    const hotBefore = await hotUpdates(store.schema);
    for (let round = 1; round <= 3; round += 1) {
      await store.extendLeases({
        leases: claimed.map((job) => ({ id: job.id, leaseToken: job.leaseToken })),
        now: now + round,
        leaseMs: 30_000,
      });
    }
    // No other write is HOT (each changes `status`, which the partial indexes depend on), so
    // any HOT update here is a renewal: before migration 0007 none could be (the lease end was
    // indexed). How many are depends on free space on each page. Statistics arrive
    // asynchronously (an idle backend flushes them within about 10 s).
    await waitFor(async () => (await hotUpdates(store.schema)) > hotBefore, {
      timeoutMs: 20_000,
      message: "HOT updates from lease renewals",
    });
    const jobsRow = await waitFor(
      async () => (await store.readTableHealth()).find((t) => t.table === "jobs" && t.deadRows > 0),
      { timeoutMs: 20_000, message: "dead rows reported" },
    );
    assert.ok(jobsRow.deadRows > 0);
    const vacuumsBefore = await vacuumCount(store.schema);
    assert.equal(await store.vacuumTable({ table: "jobs" }), true);
    // Whether every dead row could go depends on other sessions' snapshots on this shared
    // server; that VACUUM ran on the table does not.
    assert.equal(await vacuumCount(store.schema), vacuumsBefore + 1);
    const analyzesBefore = await statCount(store.schema, "analyze_count");
    assert.equal(await store.vacuumTable({ table: "jobs", analyzeOnly: true }), true);
    assert.equal(await statCount(store.schema, "analyze_count"), analyzesBefore + 1);
    assert.equal(await vacuumCount(store.schema), vacuumsBefore + 1, "ANALYZE alone");
    await assert.rejects(store.vacuumTable({ table: "pg_class" }), /not a maintained table/);
  });

  it("the table vacuumer vacuums a table over its thresholds", async () => {
    const store = await open();
    const now = Date.now();
    const jobs = Array.from({ length: 300 }, () => jobInput(now));
    await store.enqueueJobs({ jobs, now });
    await store.claimJobs({ queues: ["default"], limit: 300, workerId: "w", now, leaseMs: 30_000 });
    const vacuumer = new TableVacuumer({ store, minDeadRows: 100, deadFraction: 0.1 });
    await waitFor(
      async () =>
        (await store.readTableHealth()).some((t) => t.table === "jobs" && t.deadRows >= 100),
      { timeoutMs: 20_000, message: "dead rows reported" },
    );
    const vacuumsBefore = await vacuumCount(store.schema);
    assert.equal(await vacuumer.runOnce(), 1);
    assert.equal(await vacuumCount(store.schema), vacuumsBefore + 1);
  });

  it("counts the event batches' TOAST chunks among job_events' dead rows", async () => {
    const store = await open();
    const now = Date.now();
    // Three submissions of 2,000: three pending rows, then three published rows whose arrays
    // are stored out of line (TOAST), in many chunks each. Pruning leaves the newest.
    for (let i = 0; i < 3; i += 1) {
      await store.enqueueJobs({ jobs: Array.from({ length: 2_000 }, () => jobInput(now)), now });
    }
    await store.readJobEvents({ afterSeq: 0, limit: 1 });
    assert.equal(await store.pruneJobEvents({ keep: 0 }), 4_000);
    const events = await waitFor(
      async () =>
        (await store.readTableHealth()).find((t) => t.table === "job_events" && t.deadRows > 2),
      { timeoutMs: 20_000, message: "the pruned rows reported dead" },
    );
    // Two heap rows went; what makes the count large is their chunks.
    assert.ok(events.deadRows > 10, `${events.deadRows} dead row versions`);
  });

  it("the table vacuumer looks after the count deltas, which every change appends", async () => {
    const store = await open();
    const now = Date.now();
    // One statement per job: each appends a delta row, which the fold then deletes.
    for (let i = 0; i < 150; i += 1) await store.enqueueJobs({ jobs: [jobInput(now)], now });
    assert.ok((await store.foldJobCounts()) >= 150);
    const vacuumer = new TableVacuumer({ store, minDeadRows: 100, deadFraction: 0.1 });
    await waitFor(
      async () =>
        (await store.readTableHealth()).some(
          (t) => t.table === "job_count_deltas" && t.deadRows >= 100,
        ),
      { timeoutMs: 20_000, message: "the deltas' dead rows reported" },
    );
    const vacuumsBefore = await vacuumCount(store.schema, "job_count_deltas");
    assert.equal(await vacuumer.runOnce(), 1);
    assert.equal(await vacuumCount(store.schema, "job_count_deltas"), vacuumsBefore + 1);
    assert.equal((await store.countJobsByState({})).queued, 150, "the counts are intact");
  });
});

async function statCount(
  schema: string,
  column: "vacuum_count" | "analyze_count",
  table = "jobs",
): Promise<number> {
  const result = await adminQuery<{ n: string }>(
    `SELECT ${column} AS n FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = $2`,
    [schema, table],
  );
  return Number(result.rows[0]?.n ?? 0);
}

function vacuumCount(schema: string, table = "jobs"): Promise<number> {
  return statCount(schema, "vacuum_count", table);
}

async function hotUpdates(schema: string): Promise<number> {
  const result = await adminQuery<{ n: string }>(
    `SELECT n_tup_hot_upd AS n FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'jobs'`,
    [schema],
  );
  return Number(result.rows[0]?.n ?? 0);
}
