/**
 * Conformance of filtered job lists across tenants, states, queues and types: every combination
 * of filters gives the jobs it names, newest first, page by page with the cursor, none missed or
 * repeated. PostgreSQL builds these pages from per-state and per-tenant index ranges (a loose scan
 * over tenants for an operator's listing, postgres/job-listing.ts); SQLite reads its listing
 * indexes directly. Called from `defineStoreConformance`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { JobRecord } from "../../src/core/job.js";
import type { JobState } from "../../src/core/states.js";
import type { JobFilter, Store } from "../../src/store/store.js";
import { jobInput } from "../helpers/factories.js";
import type { FakeClock } from "../helpers/fake-clock.js";

/** The suite's fixtures, read when each test runs (they are fresh per test). */
export interface ListFiltersFixtures {
  store: Store;
  clock: FakeClock;
}

const TENANTS = ["acme", "default", "globex"] as const;
const QUEUES = ["default", "video"] as const;
const TYPES = ["mail.send", "video.encode"] as const;

/** Every page of `filter`, `limit` at a time, as ids. */
async function pages(store: Store, filter: JobFilter, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 200; page++) {
    const result = await store.listJobs({ ...filter, limit, ...(cursor ? { cursor } : {}) });
    assert.ok(result.jobs.length <= limit, "a page holds at most `limit` jobs");
    seen.push(...result.jobs.map((job) => job.id));
    if (result.nextCursor === null) return seen;
    assert.equal(result.jobs.length, limit, "a page with a next cursor is full");
    cursor = result.nextCursor;
  }
  throw new Error("more than 200 pages");
}

/** Whether `job` matches `filter`, as the contract defines it. */
function matches(job: JobRecord, filter: JobFilter): boolean {
  return (
    (filter.tenant === undefined || job.tenant === filter.tenant) &&
    (filter.queue === undefined || job.queue === filter.queue) &&
    (filter.type === undefined || job.type === filter.type) &&
    (filter.tag === undefined || job.tags.includes(filter.tag)) &&
    (filter.status === undefined ||
      filter.status.length === 0 ||
      filter.status.includes(job.status))
  );
}

/** Jobs in six states over three tenants, two queues and two types; returns them all. */
async function seed(store: Store, clock: FakeClock): Promise<JobRecord[]> {
  for (let i = 0; i < 36; i++) {
    clock.advance(1);
    const options = {
      tenant: TENANTS[i % 3]!,
      queue: QUEUES[Math.floor(i / 3) % 2]!,
      type: TYPES[Math.floor(i / 6) % 2]!,
      tags: i % 4 === 0 ? ["nightly"] : [],
      ...(i % 9 === 8 ? { delay: 60_000 } : {}),
    };
    await store.enqueueJobs({ jobs: [jobInput(clock.now(), options)], now: clock.now() });
  }
  const now = clock.now();
  for (const queue of QUEUES) {
    const claimed = await store.claimJobs({
      queues: [queue],
      workerId: "w1",
      limit: 9,
      leaseMs: 60_000,
      now,
    });
    const [toFail, ...rest] = claimed;
    const toComplete = rest.slice(0, 5);
    await store.completeJobs({
      completions: toComplete.map((job) => ({
        id: job.id,
        leaseToken: job.leaseToken,
        resultJson: null,
      })),
      now,
    });
    await store.failJobs({
      failures: [
        {
          id: toFail!.id,
          leaseToken: toFail!.leaseToken,
          error: { message: "boom", type: "Error", attempt: 1 },
          outcome: { status: "failed" },
        },
      ],
      now,
    });
  }
  const { jobs } = await store.listJobs({ limit: 1_000 });
  const queued = jobs.filter((job) => job.status === "queued");
  for (const job of queued.slice(0, 3)) await store.cancelJob({ id: job.id, now });
  return (await store.listJobs({ limit: 1_000 })).jobs;
}

/** Defines the filter-combination tests inside a store's conformance suite. */
export function defineListFiltersConformance(fixtures: () => ListFiltersFixtures): void {
  describe("listJobs across tenants and filters", () => {
    it("gives every filter combination's jobs newest first, page by page", async () => {
      const { store, clock } = fixtures();
      const all = await seed(store, clock);
      assert.equal(all.length, 36);
      const ids = all.map((job) => job.id);
      assert.deepEqual(ids, [...ids].sort().reverse(), "newest first");
      const states = new Set(all.map((job) => job.status));
      for (const state of ["scheduled", "queued", "running", "completed", "failed", "cancelled"])
        assert.ok(states.has(state as JobState), `the fixture holds a ${state} job`);

      const statusSets: (JobState[] | undefined)[] = [
        undefined,
        ["failed"],
        ["running"],
        ["completed", "queued"],
        ["running", "scheduled", "cancelled"],
      ];
      let combinations = 0;
      for (const tenant of [undefined, "acme", "globex", "nobody"])
        for (const status of statusSets)
          for (const extra of [{}, { queue: "video" }, { type: "mail.send" }, { tag: "nightly" }]) {
            const filter: JobFilter = {
              ...(tenant !== undefined ? { tenant } : {}),
              ...(status !== undefined ? { status } : {}),
              ...extra,
            };
            const expected = all.filter((job) => matches(job, filter)).map((job) => job.id);
            const label = JSON.stringify(filter);
            assert.deepEqual(await pages(store, filter, 2), expected, `${label}, 2 a page`);
            assert.deepEqual(await pages(store, filter, 50), expected, `${label}, one page`);
            combinations++;
          }
      assert.equal(combinations, 80);
    });
  });
}
