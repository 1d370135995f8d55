/**
 * What a worker does after a completion it wrote in the background: a refused (fenced) one is
 * reported as a lost lease, and a throw while reporting it (a logger's, a tracing SDK's) is
 * logged — nothing awaits that promise, so a throw there would be an unhandled rejection.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Spool, type Worker } from "../../../src/index.js";
import type { Logger } from "../../../src/core/logger.js";
import { tempSqliteUrl } from "../../helpers/temp-dir.js";
import { waitFor } from "../../helpers/wait-for.js";

describe("a background completion's report", () => {
  const errors: string[] = [];
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown): void => void rejections.push(reason);
  const logger: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (_fields, message) => {
      if (message.startsWith("lease lost")) throw new Error("the logger broke");
    },
    error: (_fields, message) => void errors.push(message),
  };
  let spool: Spool;
  let worker: Worker | undefined;

  before(async () => {
    process.on("unhandledRejection", onRejection);
    spool = await Spool.open({ url: tempSqliteUrl(), logger, maintenance: false });
  });
  after(async () => {
    process.off("unhandledRejection", onRejection);
    await worker?.stop({ graceMs: 0 });
    await spool.close();
  });

  it("catches a throw while reporting a fenced completion's lost lease", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // A long lease: its keeper renews nothing during the test, so the worker learns of the
    // takeover only from the refused completion.
    worker = spool.worker({
      leaseMs: 120_000,
      pollIntervalMs: 50,
      handlers: { job: () => gate.then(() => "stale result") },
    });
    await worker.start();
    const job = await spool.enqueue("job", {});
    await waitFor(async () => (await spool.get(job.id))?.status === "running");
    // Another process whose clock runs ahead takes the lease over; the job waits to retry then.
    const [rescued] = await spool.store.rescueExpiredLeases({
      now: Date.now() + 600_000,
      limit: 10,
      random: () => 0,
    });
    assert.equal(rescued?.status, "retrying");
    release();
    await waitFor(() => errors.includes("after recording a completion"), {
      message: "the report's throw logged",
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(rejections, []);
    const stored = await spool.get(job.id);
    assert.equal(stored?.status, "retrying");
    assert.equal(stored?.result, null);
  });
});
