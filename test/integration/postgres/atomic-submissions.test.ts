/**
 * Submissions on PostgreSQL are all or nothing on the store's own (pool) path: queue
 * registration, insert and quota charge share one transaction. Triggers in the test's own schema
 * make a later statement fail; the caller must see the error and the database must hold nothing
 * of the submission. A failing call merged with others into one write fails alone, and the
 * others are committed exactly once.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { Spool, StoreUnavailableError } from "../../../src/index.js";
import { adminQuery, createSchemaFixture, type SchemaFixture } from "../../helpers/postgres.js";

describe("atomic submissions (PostgreSQL pool path)", () => {
  let fixture: SchemaFixture;
  let spool: Spool;
  const sql = (text: string) => adminQuery(text, [], fixture.url);
  const count = async (where: string): Promise<number> => {
    const result = await sql(`SELECT count(*)::int AS n FROM "${fixture.schema}".${where}`);
    return (result.rows[0] as { n: number }).n;
  };

  beforeEach(async () => {
    fixture = createSchemaFixture();
    spool = await Spool.open({ store: fixture.openStore(), maintenance: false });
    const s = `"${fixture.schema}"`;
    // The jobs insert fails for queue "poison" (after its queue was registered); the quota
    // charge (after the insert) fails for tenant "poison"; a deferred trigger kills the session
    // at COMMIT for queue "doomed".
    await sql(`
      CREATE FUNCTION ${s}.reject() RETURNS trigger LANGUAGE plpgsql AS
        $$BEGIN RAISE EXCEPTION 'rejected by the test trigger'; END$$;
      CREATE TRIGGER reject_poison_queue AFTER INSERT ON ${s}.jobs
        FOR EACH ROW WHEN (NEW.queue = 'poison') EXECUTE FUNCTION ${s}.reject();
      CREATE TRIGGER reject_poison_tenant BEFORE INSERT OR UPDATE ON ${s}.tenant_usage
        FOR EACH ROW WHEN (NEW.tenant = 'poison') EXECUTE FUNCTION ${s}.reject();
      CREATE FUNCTION ${s}.die() RETURNS trigger LANGUAGE plpgsql AS
        $$BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); PERFORM pg_sleep(5); RETURN NULL; END$$;
      CREATE CONSTRAINT TRIGGER die_at_commit AFTER INSERT ON ${s}.jobs
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW WHEN (NEW.queue = 'doomed') EXECUTE FUNCTION ${s}.die();
    `);
  });
  afterEach(async () => {
    await spool.close();
    await fixture.drop();
  });

  it("the insert fails after the queue was registered: neither the job nor the queue is committed", async () => {
    await assert.rejects(
      spool.enqueueMany([
        { type: "a", payload: {}, queue: "poison" },
        { type: "b", payload: {}, queue: "fresh" },
      ]),
      /rejected by the test trigger/,
    );
    assert.equal(await count("jobs"), 0);
    assert.equal(await count(`queues WHERE name IN ('poison', 'fresh')`), 0, "no queue left");
  });

  it("the quota charge fails after the insert: the jobs are not committed", async () => {
    await spool.setTenantQuota("poison", { dailyLimit: 1_000, monthlyLimit: null });
    await assert.rejects(
      spool.enqueue("a", {}, { tenant: "poison", queue: "fresh" }),
      /rejected by the test trigger/,
    );
    assert.equal(await count("jobs"), 0);
    assert.equal(await count(`queues WHERE name = 'fresh'`), 0);
    assert.equal(await count("tenant_usage"), 0);
  });

  it("a failing call merged with others fails alone; the others are committed once", async () => {
    const calls = Array.from({ length: 30 }, (_, i) =>
      spool.enqueue("a", { i }, i === 17 ? { queue: "poison" } : {}),
    );
    const settled = await Promise.allSettled(calls);
    const rejected = settled.flatMap((s, i) => (s.status === "rejected" ? [i] : []));
    assert.deepEqual(rejected, [17], "only the poisoned call failed");
    const ids = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value.id] : []));
    assert.equal(await count("jobs"), 29, "every other call's job, once");
    const stored = await sql(`SELECT id::text FROM "${fixture.schema}".jobs`);
    assert.deepEqual(stored.rows.map((row) => (row as { id: string }).id).sort(), ids.sort());
  });

  it("the session dies at COMMIT: the caller sees the store unavailable and nothing is committed", async () => {
    await assert.rejects(spool.enqueue("a", {}, { queue: "doomed" }), StoreUnavailableError);
    assert.equal(await count("jobs"), 0);
    // The store recovers: the next submission goes through on a fresh connection.
    const job = await spool.enqueue("a", {}, { queue: "fine" });
    assert.equal(await count(`jobs WHERE id = '${job.id}'`), 1);
  });
});
