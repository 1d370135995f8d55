/**
 * Worker presence over a real SQLite store: unnamed workers get unique generated names, the
 * heartbeat carries the running count, a worker whose row vanished (pruned after a stall)
 * registers again, and stop() removes the row.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { Spool, type Worker } from "../../../src/index.js";
import { tempSqliteUrl } from "../../helpers/temp-dir.js";
import { waitFor } from "../../helpers/wait-for.js";

describe("worker presence", () => {
  let spool: Spool;
  const workers: Worker[] = [];

  beforeEach(async () => {
    spool = await Spool.open({ url: tempSqliteUrl(), maintenance: false });
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop({ graceMs: 0 })));
    await spool.close();
  });

  const startWorker = async (options: Parameters<Spool["worker"]>[0]): Promise<Worker> => {
    const worker = spool.worker({ pollIntervalMs: 20, leaseMs: 300, ...options });
    workers.push(worker);
    await worker.start();
    return worker;
  };

  it("unnamed workers get unique generated names and can run side by side", async () => {
    const handlers = { "p.noop": async () => null };
    const [a, b] = [await startWorker({ handlers }), await startWorker({ handlers })];
    assert.notEqual(a.name, b.name);
    assert.match(a.name, /^worker-.+-\d+-[A-Za-z0-9_-]{6}$/);
    assert.equal(a.id, a.name);
    const named = await startWorker({ handlers, name: "exact-name" });
    assert.equal(named.name, "exact-name");
    assert.match(named.id, /^exact-name-[A-Za-z0-9_-]{6}$/);
    assert.deepEqual(
      (await spool.workers()).map((w) => w.name).sort(),
      [a.name, b.name, "exact-name"].sort(),
    );
  });

  it("heartbeats carry the running count; stop() removes the row", async () => {
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const worker = await startWorker({
      name: "busy",
      concurrency: 2,
      handlers: { "p.block": async () => blocked },
    });
    await spool.enqueue("p.block");
    await waitFor(async () => (await spool.workers())[0]?.running === 1, {
      message: "a heartbeat reported one running job",
    });
    release();
    await waitFor(async () => (await spool.workers())[0]?.running === 0, {
      message: "a heartbeat reported the job done",
    });
    await worker.stop();
    assert.deepEqual(await spool.workers(), []);
  });

  it("a worker whose row was deleted (pruned after a stall) registers again at its next heartbeat", async () => {
    const worker = await startWorker({ name: "phoenix", handlers: { "p.noop": async () => null } });
    const [first] = await spool.workers();
    assert.equal(await spool.store.removeWorker({ id: worker.id }), true);
    const back = await waitFor(async () => (await spool.workers())[0], {
      message: "the worker registered again",
    });
    assert.equal(back.id, worker.id);
    assert.equal(back.name, "phoenix");
    assert.ok(back.startedAt.getTime() >= first!.startedAt.getTime());
  });
});
