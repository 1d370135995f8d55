/**
 * PostgreSQL migrations: many processes' stores migrating one fresh schema at once apply each
 * version exactly once, without errors; a later call finds nothing to do; the schema option
 * keeps apps that share a database apart.
 */
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { jobInput } from "../../helpers/factories.js";
import { adminQuery, createSchemaFixture, type SchemaFixture } from "../../helpers/postgres.js";

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
        "job_event_publisher",
        "job_event_slot",
        "job_events",
        "job_events_pending",
        "job_events_pending_0",
        "job_events_pending_1",
        "jobs",
        "queues",
        "schema_migrations",
        "tenant_quotas",
        "tenant_usage",
      ],
    );
    assert.deepEqual(await stores[3]!.migrate(), { applied: [], version: versions });
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
});
