/**
 * Conformance of tag-filtered job lists (the dashboard's jobs page, issue 10): newest first,
 * page by page with the cursor, with no job of the tag missed or repeated, alone or combined
 * with the other filters. SQLite walks its job_tags index from the cursor, PostgreSQL its tags
 * index: this pins down that both give the same pages. Called from `defineStoreConformance`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { JobFilter, Store } from "../../src/store/store.js";
import { jobInput } from "../helpers/factories.js";
import type { FakeClock } from "../helpers/fake-clock.js";

/** The suite's fixtures, read when each test runs (they are fresh per test). */
export interface ListByTagFixtures {
  store: Store;
  clock: FakeClock;
}

/** Defines the tag-list tests inside a store's conformance suite. */
export function defineListByTagConformance(fixtures: () => ListByTagFixtures): void {
  describe("listJobs by tag", () => {
    const pages = async (filter: JobFilter, limit: number): Promise<string[]> => {
      const { store } = fixtures();
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 100; page++) {
        const result = await store.listJobs({ ...filter, limit, ...(cursor ? { cursor } : {}) });
        seen.push(...result.jobs.map((job) => job.id));
        if (result.nextCursor === null) return seen;
        cursor = result.nextCursor;
      }
      throw new Error("more than 100 pages");
    };

    it("pages a tag's jobs newest first, alone and with other filters", async () => {
      const { store, clock } = fixtures();
      const tagged: { id: string; queue: string; tenant: string }[] = [];
      for (let i = 0; i < 23; i++) {
        clock.advance(1);
        const queue = i % 3 === 0 ? "video" : "default";
        const tenant = i % 2 === 0 ? "acme" : "default";
        const tags = i % 4 === 3 ? ["other"] : i % 5 === 0 ? ["nightly", "other"] : ["nightly"];
        const [outcome] = await store.enqueueJobs({
          jobs: [jobInput(clock.now(), { queue, tenant, tags })],
          now: clock.now(),
        });
        if (tags.includes("nightly")) tagged.push({ id: outcome!.job.id, queue, tenant });
      }
      const newest = (rows: typeof tagged) => rows.map((row) => row.id).reverse();
      assert.deepEqual(await pages({ tag: "nightly" }, 4), newest(tagged));
      assert.deepEqual(
        await pages({ tag: "nightly", queue: "video" }, 2),
        newest(tagged.filter((row) => row.queue === "video")),
      );
      assert.deepEqual(
        await pages({ tag: "nightly", tenant: "acme", status: ["queued"] }, 3),
        newest(tagged.filter((row) => row.tenant === "acme")),
      );
      assert.deepEqual(await pages({ tag: "nightly", status: ["completed"] }, 5), []);
      assert.deepEqual(await pages({ tag: "missing" }, 5), []);
    });
  });
}
