/**
 * Statements that find running jobs by id read them through the primary key, whatever the
 * statistics say (issue 15). With `status = 'running'` in their WHERE clause the planner took
 * jobs_running_idx instead — its statistics, gathered when nothing ran, make the partial index
 * look like one row — and then each statement walked every running row: with 58,000 expired
 * leases waiting for the rescuer, 20 ms per recorded failure and 0.9 s per completed batch, which
 * let more leases expire and stopped a churn run. This reproduces the statistics (ANALYZE while
 * every job is queued, then claim thousands) and checks each statement's plan on a real server.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { prepareSchema } from "../../../src/store/postgres/postgres-pool.js";
import type { Statements } from "../../../src/store/postgres/postgres-pool.js";
import { jobInput } from "../../helpers/factories.js";
import {
  adminQuery,
  openTestPostgresStore,
  type TestPostgresStore,
} from "../../helpers/postgres.js";

/** The index names a plan (EXPLAIN's JSON) reads, in order. */
function indexesOf(plan: unknown): string[] {
  const names: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node !== null && typeof node === "object") {
      const record = node as Record<string, unknown>;
      if (typeof record["Index Name"] === "string") names.push(record["Index Name"]);
      Object.values(record).forEach(visit);
    }
  };
  visit(plan);
  return names;
}

describe("PostgreSQL: running jobs are found by id through the primary key", () => {
  let store: TestPostgresStore;
  let statements: Statements;
  let ids: string[];
  let tokens: string[];

  before(async () => {
    store = await openTestPostgresStore();
    statements = prepareSchema(store.schema).statements;
    const now = Date.now();
    // Enough rows that reading the table whole costs more than 50 key lookups.
    for (let chunk = 0; chunk < 6; chunk += 1) {
      const jobs = Array.from({ length: 5_000 }, () => jobInput(now));
      await store.enqueueJobs({ jobs, now });
    }
    // Statistics taken while nothing runs: the planner then believes no job is running.
    await adminQuery(`ANALYZE "${store.schema}".jobs`);
    const claimed = await store.claimJobs({
      queues: ["default"],
      workerId: "w",
      limit: 2_500,
      leaseMs: 60_000,
      now,
    });
    assert.equal(claimed.length, 2_500);
    ids = claimed.slice(0, 50).map((job) => job.id);
    tokens = claimed.slice(0, 50).map((job) => job.leaseToken);
  });
  after(() => store.close());

  const explain = async (text: string, values: unknown[]): Promise<string[]> => {
    const result = await adminQuery<{ "QUERY PLAN": unknown }>(
      `EXPLAIN (FORMAT JSON) ${text}`,
      values,
    );
    if (process.env.SHOW_PLANS) console.log(JSON.stringify(result.rows[0]!["QUERY PLAN"]));
    return indexesOf(result.rows[0]!["QUERY PLAN"]);
  };

  it("completions, renewals, failures, releases, cancellations and log appends", async () => {
    const now = Date.now();
    const error = JSON.stringify({ message: "boom", type: "Error", attempt: 1, at: now });
    const cases: [keyof Statements, unknown[]][] = [
      ["COMPLETE_JOBS", [ids, tokens, ids.map(() => null), now]],
      [
        "EXTEND_LEASE",
        [ids, tokens, ids.map(() => null), ids.map(() => false), ids.map(() => null), now, 1, 1],
      ],
      ["FAIL_JOB", [ids[0], tokens[0], "failed", null, error, now, error]],
      ["RELEASE_JOB", [ids, tokens, now, "channel"]],
      ["SELECT_CANCEL_REQUESTED", [ids]],
      ["REQUEST_CANCEL", [ids[0], now]],
      ["SELECT_LOG_LEASE", [ids[0], tokens[0]]],
    ];
    for (const [name, values] of cases) {
      const indexes = await explain(statements[name].text, values);
      assert.ok(
        !indexes.includes("jobs_running_idx"),
        `${name} reads jobs_running_idx: ${indexes.join(", ")}`,
      );
      assert.ok(indexes.includes("jobs_pkey"), `${name} reads ${indexes.join(", ")}`);
    }
  });

  it("refuses a lease token on a job that is not running", async () => {
    await assert.rejects(
      adminQuery(
        `UPDATE "${store.schema}".jobs SET lease_token = 'stray' WHERE status = 'queued'
         AND id = (SELECT id FROM "${store.schema}".jobs WHERE status = 'queued' LIMIT 1)`,
      ),
      /violates check constraint/,
    );
  });
});
