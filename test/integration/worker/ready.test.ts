/**
 * A worker starts only once its context's `ready` resolves (worker/worker.ts `WorkerContext`).
 * A Spool passes its event feed's start there, so a `spool.on` listener added before
 * `worker.start()` has its start position before the worker claims anything — else the first
 * completions of a backlog could commit before it and never be delivered (found measuring a
 * 100,000-job drain; docs/design.md "One event stream", under load). Real SQLite file.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { setImmediate as turn } from "node:timers/promises";
import { systemClock } from "../../../src/core/clock.js";
import { Spool } from "../../../src/index.js";
import { Worker } from "../../../src/worker/worker.js";
import { tempSqliteUrl } from "../../helpers/temp-dir.js";
import { waitFor } from "../../helpers/wait-for.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe("worker start waits for ready", () => {
  let spool: Spool;
  let worker: Worker | undefined;
  beforeEach(async () => {
    spool = await Spool.open({ url: tempSqliteUrl(), maintenance: false });
  });
  afterEach(async () => {
    await worker?.stop({ graceMs: 0 });
    await spool.close();
  });

  it("claims nothing and registers nowhere until ready resolves", async () => {
    await spool.enqueueMany(Array.from({ length: 5 }, () => ({ type: "t" })));
    let open!: () => void;
    const ready = new Promise<void>((resolve) => (open = resolve));
    worker = new Worker(
      {
        store: spool.store,
        clock: systemClock,
        logger: quiet,
        random: Math.random,
        maxResultBytes: 1_048_576,
        ready: () => ready,
      },
      { handlers: { t: () => null }, pollIntervalMs: 10 },
    );
    const started = worker.start();
    for (let i = 0; i < 50; i += 1) await turn();
    assert.equal((await spool.stats()).queued, 5, "nothing claimed before ready");
    assert.deepEqual(await spool.workers(), [], "not registered before ready");
    assert.equal(worker.isRunning, false);
    open();
    await started;
    await waitFor(async () => (await spool.stats()).completed === 5, { message: "all run" });
  });
});
