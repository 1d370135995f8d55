/**
 * The event feed is woken by the store's change signal, not a fast poll (issue 11): with the
 * safety poll set to an hour, a write made through the same store object still reaches a
 * subscriber (SQLite: after the commit; PostgreSQL: after the event-writing call). A write
 * through ANOTHER store object on the same database sends no signal here and is picked up by
 * the safety poll. Real SQLite files and the real PostgreSQL server. (On SQLite the store's own
 * change watch also sends "jobs available" hints, so there the first test passes by either
 * signal; on PostgreSQL only the commit signal can wake the feed for a progress report.)
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import type { Logger } from "../../../src/core/logger.js";
import { EventFeed } from "../../../src/events/event-feed.js";
import { SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import type { Store, StoredJobEvent } from "../../../src/store/store.js";
import { jobInput } from "../../helpers/factories.js";
import { createSchemaFixture } from "../../helpers/postgres.js";
import { tempDir } from "../../helpers/temp-dir.js";
import { nextEvent, waitFor } from "../../helpers/wait-for.js";

const HOUR = 3_600_000;
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

describe("event feed wake-ups", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** Two store objects on one fresh database (as two processes would have). */
  type Pair = () => Promise<[Store, Store]>;
  const sqlite: Pair = async () => {
    const path = join(tempDir(), "spool.db");
    const stores = [new SqliteStore({ path }), new SqliteStore({ path })] as const;
    await stores[0].migrate();
    for (const store of stores) cleanups.push(() => store.close());
    return [stores[0], stores[1]];
  };
  const postgres: Pair = async () => {
    const fixture = createSchemaFixture();
    cleanups.push(() => fixture.drop());
    const stores = [fixture.openStore(), fixture.openStore()] as const;
    await stores[0].migrate();
    return [stores[0], stores[1]];
  };

  async function follow(store: Store, pollIntervalMs: number): Promise<EventFeed> {
    const feed = new EventFeed({ store, logger: quiet, pollIntervalMs });
    await feed.start();
    // PostgreSQL: let LISTEN come up first (it reports so with a null hint, which would wake
    // the feed too), so that no hint but the commit signal is left to wake it.
    if (store.capabilities.listenNotify) {
      await nextEvent<string | null>(
        (listener) => store.onJobsAvailable(listener),
        (queue) => queue === null,
      );
    }
    cleanups.push(() => feed.stop());
    return feed;
  }
  /** Submits, claims and completes `job`. */
  async function runToCompletion(store: Store, job: ReturnType<typeof jobInput>): Promise<void> {
    await store.enqueueJobs({ jobs: [job], now: Date.now() });
    const [claimed] = await store.claimJobs({
      queues: ["default"],
      workerId: "w1",
      limit: 1,
      leaseMs: 30_000,
      now: Date.now(),
    });
    await store.completeJobs({
      completions: [{ id: claimed!.id, leaseToken: claimed!.leaseToken, resultJson: null }],
      now: Date.now(),
    });
  }
  const nextOf = (feed: EventFeed, name: string, jobId: string): Promise<StoredJobEvent> =>
    nextEvent<StoredJobEvent>(
      (listener) => feed.subscribe(listener),
      (e) => e.name === name && e.jobId === jobId,
    );

  for (const [label, pair] of [
    ["SQLite", sqlite],
    ["PostgreSQL", postgres],
  ] as const) {
    it(`${label}: this store's writes wake the feed (the safety poll is an hour)`, async () => {
      const [store] = await pair();
      const feed = await follow(store, HOUR);
      const job = jobInput(Date.now());
      const queued = nextOf(feed, "job.queued", job.id);
      await store.enqueueJobs({ jobs: [job], now: Date.now() });
      assert.equal((await queued).jobId, job.id);
      // A progress report sends no "jobs available" hint: only the commit signal wakes the feed.
      const [claimed] = await store.claimJobs({
        queues: ["default"],
        workerId: "w1",
        limit: 1,
        leaseMs: 30_000,
        now: Date.now(),
      });
      await nextOf(feed, "job.started", job.id);
      const completed = nextOf(feed, "job.progress", job.id);
      await store.extendLeases({
        leases: [{ id: claimed!.id, leaseToken: claimed!.leaseToken, progress: 10 }],
        leaseMs: 30_000,
        now: Date.now(),
      });
      const event = await completed;
      assert.equal(event.name, "job.progress");
      assert.equal(event.seq, feed.latestSeq);
    });

    it(`${label}: named subscribers get only their names, and the feed moves past the rest`, async () => {
      const [store] = await pair();
      const feed = await follow(store, 20);
      const seen: string[] = [];
      const offNamed = feed.subscribeNamed(
        (e) => seen.push(e.name),
        () => ["job.completed"],
      );
      const job = jobInput(Date.now());
      const completed = nextOf(feed, "job.completed", job.id);
      await runToCompletion(store, job);
      // `nextOf` subscribes to every event, so this read is unfiltered: it sees all three.
      await completed;
      offNamed();
      // Now the named subscriber is alone: the store sends only its names.
      const names: string[] = [];
      const offAlone = feed.subscribeNamed(
        (e) => names.push(e.name),
        () => ["job.completed"],
      );
      await runToCompletion(store, jobInput(Date.now()));
      const newest = await store.latestJobEventSeq();
      await waitFor(() => feed.latestSeq >= newest, {
        message: "the feed reaches the newest event",
      });
      offAlone();
      assert.deepEqual(names, ["job.completed"], "queued and started were not read");
      assert.ok(seen.includes("job.completed"));
    });

    it(`${label}: a subscriber that names more during a named read gets what it skipped`, async () => {
      const [inner] = await pair();
      // The store, with its named reads held at a gate, and a hook run when a read returns.
      let open = (): void => {};
      const gate = new Promise<void>((resolve) => (open = resolve));
      let held = false;
      let afterRead: ((scannedTo: number) => void) | undefined;
      const store = new Proxy(inner, {
        get(target, key) {
          if (key === "readNamedJobEvents")
            return async (params: Parameters<Store["readNamedJobEvents"]>[0]) => {
              held = true;
              await gate;
              const read = await target.readNamedJobEvents(params);
              afterRead?.(read.scannedTo);
              return read;
            };
          const value: unknown = Reflect.get(target, key);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
      const feed = await follow(store, 20);
      feed.subscribeNamed(
        () => {},
        () => ["job.completed"],
      );
      // A read of some names (not job.queued) is under way, held at the gate. (Polled: the
      // feed's timers do not keep the process alive, so a bare promise here could end the run.)
      await waitFor(() => held, { message: "a named read reaches the gate" });
      const job = jobInput(Date.now());
      await store.enqueueJobs({ jobs: [job], now: Date.now() });
      const queuedSeq = await store.latestJobEventSeq();
      const queued: string[] = [];
      afterRead = (scannedTo) => {
        if (scannedTo < queuedSeq) return;
        afterRead = undefined;
        // Subscribes while the read that skipped the job.queued event is returning.
        feed.subscribeNamed(
          (e) => queued.push(e.jobId),
          () => ["job.queued"],
        );
      };
      open();
      await waitFor(() => queued.includes(job.id), {
        message: "the skipped job.queued event is read again for the new subscriber",
      });
    });

    it(`${label}: another store object's writes arrive by the safety poll`, async () => {
      const [mine, other] = await pair();
      const feed = await follow(mine, 20);
      const job = jobInput(Date.now());
      const queued = nextOf(feed, "job.queued", job.id);
      await other.enqueueJobs({ jobs: [job], now: Date.now() });
      assert.equal((await queued).jobId, job.id);
    });
  }
});
