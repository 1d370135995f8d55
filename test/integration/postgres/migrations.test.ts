/**
 * PostgreSQL migrations: many processes' stores migrating one fresh schema at once apply each
 * version exactly once, without errors; a later call finds nothing to do; the schema option
 * keeps apps that share a database apart; an upgrade keeps the event log.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { afterEach, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ROUTINES, routineChecksum } from "../../../src/store/postgres/postgres-routines.js";
import { jobInput } from "../../helpers/factories.js";
import { adminQuery, createSchemaFixture, type SchemaFixture } from "../../helpers/postgres.js";

const MIGRATIONS = fileURLToPath(
  new URL("../../../src/store/postgres/migrations/", import.meta.url),
);

/** Applies migrations 1 … `upTo` to a new schema by hand, as a store of that version would. */
async function migrateTo(schema: string, upTo: number): Promise<void> {
  await adminQuery(`CREATE SCHEMA "${schema}"`);
  await adminQuery(`CREATE TABLE "${schema}".schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
  for (const file of readdirSync(MIGRATIONS).sort()) {
    const version = Number(file.slice(0, 4));
    if (!(version <= upTo)) continue;
    const sql = readFileSync(MIGRATIONS + file, "utf8");
    await adminQuery(`SET search_path TO "${schema}"; ${sql}`);
    await adminQuery(`INSERT INTO "${schema}".schema_migrations (version, name) VALUES ($1, $2)`, [
      version,
      file,
    ]);
  }
}

describe("migrations (PostgreSQL)", () => {
  const fixtures: SchemaFixture[] = [];
  afterEach(async () => {
    for (const fixture of fixtures.splice(0)) await fixture.drop();
  });

  it("10 stores migrating one fresh schema at once migrate it once", async () => {
    const fixture = createSchemaFixture();
    fixtures.push(fixture);
    // Separate stores have separate pools: these are ten concurrent sessions, as ten processes
    // starting together would be.
    const stores = Array.from({ length: 10 }, () => fixture.openStore({ poolSize: 1 }));
    const results = await Promise.all(stores.map((store) => store.migrate()));
    const applied = results.flatMap((result) => result.applied);
    const versions = results[0]!.version;
    assert.ok(versions >= 3);
    assert.deepEqual(
      [...applied].sort((a, b) => a - b),
      Array.from({ length: versions }, (_, i) => i + 1),
      "every version applied by exactly one of them",
    );
    assert.ok(results.every((result) => result.version === versions));
    const ledger = await adminQuery<{ version: number }>(
      `SELECT version FROM "${fixture.schema}".schema_migrations ORDER BY version`,
    );
    assert.deepEqual(
      ledger.rows.map((row) => row.version),
      Array.from({ length: versions }, (_, i) => i + 1),
    );
    const tables = await adminQuery<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`,
      [fixture.schema],
    );
    assert.deepEqual(
      tables.rows.map((row) => row.table_name),
      [
        "api_keys",
        "batch_jobs",
        "batches",
        "job_count_deltas",
        "job_counts",
        "job_dependencies",
        "job_dependency_waits",
        "job_event_publisher",
        "job_event_slot",
        "job_events",
        "job_events_pending",
        "job_events_pending_0",
        "job_events_pending_1",
        "job_logs",
        "jobs",
        "maintenance_leaders",
        "queues",
        "ready_tenants",
        "schedules",
        "schema_migrations",
        "schema_routines",
        "tenant_quotas",
        "tenant_usage",
        "tenants",
        "webhook_attempts",
        "webhook_cursor",
        "webhook_deliveries",
        "webhooks",
        "workers",
      ],
    );
    assert.deepEqual(await stores[3]!.migrate(), { applied: [], version: versions });
  });

  it("re-applies the claim function only when its recorded checksum differs", async () => {
    const fixture = createSchemaFixture();
    fixtures.push(fixture);
    const store = fixture.openStore();
    await store.migrate();
    const ledger = `"${fixture.schema}".schema_routines`;
    const functions = async () =>
      (
        await adminQuery<{ args: number }>(
          `SELECT pronargs AS args FROM pg_proc
           WHERE proname = 'claim_jobs' AND pronamespace = $1::regnamespace`,
          [fixture.schema],
        )
      ).rows.map((row) => row.args);
    const recorded = async () =>
      (
        await adminQuery<{ checksum: string; applied_at: Date }>(
          `SELECT * FROM ${ledger} WHERE name = 'claim_jobs'`,
        )
      ).rows;
    assert.deepEqual(await functions(), [10], "one claim_jobs, with p_types");
    const [first] = await recorded();
    assert.equal(first?.checksum, routineChecksum(ROUTINES[0]!));
    await store.migrate();
    assert.deepEqual(await recorded(), [first], "unchanged: not re-applied");
    await adminQuery(`UPDATE ${ledger} SET checksum = 'stale'`);
    await adminQuery(`DROP FUNCTION "${fixture.schema}".claim_jobs`);
    assert.deepEqual((await store.migrate()).applied, [], "no migration, only the routine");
    assert.deepEqual(await functions(), [10], "changed: re-created");
    assert.equal((await recorded())[0]?.checksum, first?.checksum);
    const now = Date.now();
    await store.enqueueJobs({ jobs: [jobInput(now)], now });
    const claim = { queues: ["default"], workerId: "w", limit: 5, leaseMs: 1_000, now };
    assert.equal((await store.claimJobs({ ...claim, types: ["other.job"] })).length, 0);
    assert.equal((await store.claimJobs({ ...claim, types: ["test.job"] })).length, 1);
  });

  it("stores in different schemas of one database do not see each other's jobs", async () => {
    const [a, b] = [createSchemaFixture(), createSchemaFixture()];
    fixtures.push(a, b);
    const storeA = a.openStore();
    const storeB = b.openStore();
    await Promise.all([storeA.migrate(), storeB.migrate()]);
    const now = Date.now();
    await storeA.enqueueJobs({ jobs: [jobInput(now)], now });
    assert.equal((await storeA.countJobsByState({})).queued, 1);
    assert.equal((await storeB.countJobsByState({})).queued, 0);
    assert.deepEqual(
      await storeB.claimJobs({ queues: ["default"], workerId: "w", limit: 5, leaseMs: 1_000, now }),
      [],
    );
    assert.notEqual(storeA.channel, storeB.channel);
  });

  it("version 20 keeps every event, published or pending, in order, and numbers on after them", async () => {
    const fixture = createSchemaFixture();
    fixtures.push(fixture);
    const t = `"${fixture.schema}"`;
    await migrateTo(fixture.schema, 19);
    const event = (name: string, n: number): string =>
      `1000, '${name}', '0190c3a4-0000-7000-8000-00000000000${n}', 'default', 'default', 't', 's', '{"n": ${n}}'`;
    // Published: seq 1, 2 and 5 (a gap, as pruning and old versions could leave).
    for (const [seq, n] of [
      [1, 1],
      [2, 2],
      [5, 3],
    ] as const) {
      await adminQuery(
        `INSERT INTO ${t}.job_events (seq, at, name, job_id, tenant, queue, type, status, data)
         VALUES (${seq}, ${event("job.queued", n)})`,
      );
    }
    // Pending: one already published (its transaction is in the stored snapshot), two not.
    const pending = (n: number): string =>
      `INSERT INTO ${t}.job_events_pending (slot, at, name, job_id, tenant, queue, type, status, data)
       VALUES (0, ${event("job.started", n)})`;
    await adminQuery(pending(3));
    await adminQuery(`UPDATE ${t}.job_event_publisher SET published = pg_current_snapshot()`);
    await adminQuery(pending(4));
    await adminQuery(pending(5));

    const store = fixture.openStore();
    assert.deepEqual((await store.migrate()).applied, [20]);
    const read = await store.readJobEvents({ afterSeq: 0, limit: 100 });
    assert.deepEqual(
      read.map((e) => [e.seq, e.name, e.data]),
      [
        [1, "job.queued", { n: 1 }],
        [2, "job.queued", { n: 2 }],
        [5, "job.queued", { n: 3 }],
        [6, "job.started", { n: 4 }],
        [7, "job.started", { n: 5 }],
      ],
    );
    const now = Date.now();
    await store.enqueueJobs({ jobs: [jobInput(now), jobInput(now)], now });
    const after = await store.readJobEvents({ afterSeq: 5, limit: 100 });
    assert.deepEqual(
      after.map((e) => [e.seq, e.name]),
      [
        [6, "job.started"],
        [7, "job.started"],
        [8, "job.queued"],
        [9, "job.queued"],
      ],
    );
    const named = await store.readNamedJobEvents({ afterSeq: 0, limit: 3, names: ["job.queued"] });
    assert.deepEqual(
      named.events.map((e) => e.seq),
      [1, 2, 5],
    );
    assert.equal(named.scannedTo, 5);
  });
});
