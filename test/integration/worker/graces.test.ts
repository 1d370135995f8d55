/**
 * The abort grace and the lease's timeout grace agree (docs/design.md "Graces"): a handler that
 * ignores its timeout but stops within `abortGraceMs` has stopped, and its timeout is recorded,
 * before its lease can expire — so the job is never run twice at once, even with a second idle
 * worker and the lease rescuer polling every 50 ms. The execution log keeps each attempt's start
 * and end; attempt 2 must start after attempt 1 ended.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Spool, type JobEventMap, type Worker } from "../../../src/index.js";
import { tempSqliteUrl } from "../../helpers/temp-dir.js";
import { nextEvent } from "../../helpers/wait-for.js";

/** Longer than the old 2 s timeout grace, shorter than the default abort grace (5 s). */
const IGNORES_MS = 3_000;

describe("graces: a handler that ignores its timeout", () => {
  let spool: Spool;
  const workers: Worker[] = [];

  beforeEach(async () => {
    spool = await Spool.open({
      url: tempSqliteUrl(),
      random: () => 0, // no backoff: a rescued or failed attempt is claimable at once
      maintenance: { rescueIntervalMs: 50, promoteIntervalMs: 20 },
    });
  });
  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.stop({ graceMs: 0 });
    await spool.close();
  });

  it("is never running when its job is claimed again", async () => {
    const log: { attempt: number; worker: string; start: number; end?: number }[] = [];
    for (const name of ["a", "b"]) {
      const worker = spool.worker({
        name,
        concurrency: 1,
        pollIntervalMs: 20,
        handlers: {
          deafish: async (job) => {
            const entry: (typeof log)[number] = {
              attempt: job.attempt,
              worker: name,
              start: Date.now(),
            };
            log.push(entry);
            if (job.attempt === 1) await sleep(IGNORES_MS); // the signal fires; it is ignored
            entry.end = Date.now();
            return { attempt: job.attempt };
          },
        },
      });
      workers.push(worker);
      await worker.start();
    }
    const job = await spool.enqueue("deafish", {}, { timeout: 200, maxAttempts: 2 });
    await nextEvent<JobEventMap["job.completed"]>(
      (listener) => spool.on("job.completed", listener),
      (e) => e.jobId === job.id,
      60_000,
    );

    const stored = (await spool.get(job.id))!;
    assert.equal(stored.attempt, 2);
    assert.deepEqual(
      stored.errors.map((e) => e.type),
      ["TimeoutError"],
    );
    assert.deepEqual(
      log.map((e) => e.attempt),
      [1, 2],
      JSON.stringify(log),
    );
    const first = log[0]!;
    const second = log[1]!;
    assert.ok(first.end !== undefined, "attempt 1 was still running when attempt 2 completed");
    assert.ok(
      second.start >= first.end,
      `attempt 2 started ${first.end - second.start} ms before attempt 1 ended`,
    );
  });
});
