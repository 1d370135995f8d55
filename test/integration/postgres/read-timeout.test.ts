/**
 * The API's list and count reads on PostgreSQL run under a statement timeout (issue 12): a read
 * that cannot finish is cancelled by the server — it does not keep a backend busy or waiting —
 * and the caller gets a clear StoreUnavailableError. A lock held by another session (as a
 * migration or a bad manual query would) makes the reads wait, deterministically, without any
 * wall-clock assertion; `readTimeoutMs` is set small so the test does not wait long.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import pg from "pg";
import { StoreUnavailableError } from "../../../src/core/errors.js";
import { jobInput } from "../../helpers/factories.js";
import {
  openTestPostgresStore,
  PG_TEST_URL,
  type TestPostgresStore,
} from "../../helpers/postgres.js";

describe("statement timeout of API reads (PostgreSQL)", () => {
  let store: TestPostgresStore;
  let locker: pg.Client;

  beforeEach(async () => {
    store = await openTestPostgresStore({ readTimeoutMs: 300, poolSize: 2 });
    await store.enqueueJobs({ jobs: [jobInput(Date.now(), { tags: ["x"] })], now: Date.now() });
    locker = new pg.Client({ connectionString: PG_TEST_URL });
    await locker.connect();
  });
  afterEach(async () => {
    await locker.end();
    await store.close();
  });

  /** Holds an ACCESS EXCLUSIVE lock on `table` of the store's schema until ROLLBACK. */
  const lock = async (table: string): Promise<void> => {
    await locker.query("BEGIN");
    await locker.query(`LOCK TABLE "${store.schema}".${table} IN ACCESS EXCLUSIVE MODE`);
  };
  const waitingOn = async (table: string): Promise<number> => {
    const result = await locker.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = $1::regclass`,
      [`"${store.schema}".${table}`],
    );
    return result.rows[0]!.n;
  };
  const isTimeout = (error: unknown): boolean => {
    assert.ok(error instanceof StoreUnavailableError, `got ${String(error)}`);
    assert.match(error.message, /statement timeout/);
    assert.equal(error.retryable, false);
    return true;
  };

  it("cancels list, count and queue reads that cannot finish, server-side", async () => {
    await lock("jobs");
    await assert.rejects(store.listJobs({ limit: 50, status: ["failed"] }), isTimeout);
    await assert.rejects(store.listJobs({ limit: 50, tag: "x" }), isTimeout);
    assert.equal(await waitingOn("jobs"), 0, "the server stopped waiting: nothing left queued");
    await locker.query("ROLLBACK");

    await lock("job_counts");
    await assert.rejects(store.countJobsByState({}), isTimeout);
    await assert.rejects(store.queueStats({ now: Date.now(), windowMs: 60_000 }), isTimeout);
    assert.equal(await waitingOn("job_counts"), 0);
    await locker.query("ROLLBACK");
  });

  it("gives the connections back: reads and writes work at once afterwards", async () => {
    await lock("jobs");
    // More timed-out reads than the pool has connections: none may be kept.
    for (let i = 0; i < 4; i++) await assert.rejects(store.listJobs({ limit: 10 }), isTimeout);
    await locker.query("ROLLBACK");
    assert.equal((await store.listJobs({ limit: 10 })).jobs.length, 1);
    assert.equal((await store.countJobsByState({})).queued, 1);
    await store.enqueueJobs({ jobs: [jobInput(Date.now())], now: Date.now() });
    assert.equal((await store.countJobsByState({})).queued, 2);
  });
});
