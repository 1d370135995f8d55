/**
 * A SIGKILLed worker disappears from `GET /workers` 3 lease periods after its last heartbeat
 * (SPEC §6), and not before; its name is then free for a new worker. Real processes: a server
 * in this process, the worker in its own (lease 1 s, so it is gone after 3 s of silence).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { HTTP_TEST_STORES, startTestServer, type TestServer } from "../helpers/http-server.js";
import { helperPath, spawnTs, stopChild, waitForLine } from "../helpers/processes.js";
import { tempDir } from "../helpers/temp-dir.js";
import { waitFor } from "../helpers/wait-for.js";
import type { WorkerProcessConfig } from "../helpers/worker-process.js";

const LEASE_MS = 1_000;
const children: ReturnType<typeof spawnTs>[] = [];
const servers: TestServer[] = [];

function startWorker(t: TestServer, name: string): ReturnType<typeof spawnTs> {
  const config: WorkerProcessConfig = {
    url: t.storeUrl,
    ...(t.schema === undefined ? {} : { schema: t.schema, poolSize: 2 }),
    logPath: join(tempDir(), `${name}.log`),
    name,
    concurrency: 1,
    leaseMs: LEASE_MS,
  };
  const child = spawnTs(helperPath("worker-process.ts"), {
    SPOOL_TEST_WORKER: JSON.stringify(config),
  });
  children.push(child);
  return child;
}

afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => stopChild(child, "SIGKILL")));
  await Promise.all(servers.splice(0).map((t) => t.close()));
});

for (const store of HTTP_TEST_STORES) {
  describe(`worker presence after SIGKILL (${store}, real processes)`, () => {
    it("a killed worker is listed until 3 lease periods of silence, then gone; its name is free again", async () => {
      const t = await startTestServer({ store });
      servers.push(t);
      const find = async (name: string) => {
        const res = await t.fetch("GET", "/workers");
        assert.equal(res.status, 200);
        return (res.body.workers as { name: string; pid: number; last_seen_at: string }[]).find(
          (w) => w.name === name,
        );
      };

      const victim = startWorker(t, "doomed");
      await waitForLine(victim, "ready", 90_000); // process start-up is slow on a loaded machine
      const listed = await find("doomed");
      assert.ok(listed, "registered on start");
      assert.equal(listed.pid, victim.pid);
      // Heartbeats keep it fresh: last_seen_at moves forward while it lives.
      const firstSeen = Date.parse(listed.last_seen_at);
      await waitFor(
        async () => Date.parse((await find("doomed"))?.last_seen_at ?? "0") > firstSeen,
        {
          message: "a heartbeat moved last_seen_at",
        },
      );

      await stopChild(victim, "SIGKILL");
      let lastSeen = 0;
      await waitFor(
        async () => {
          const row = await find("doomed");
          if (row !== undefined) lastSeen = Date.parse(row.last_seen_at);
          return row === undefined;
        },
        { timeoutMs: 60_000, intervalMs: 50, message: "the killed worker disappeared" },
      );
      assert.ok(lastSeen > 0);
      assert.ok(
        Date.now() >= lastSeen + 3 * LEASE_MS,
        "listed until 3 lease periods after its last heartbeat",
      );

      const successor = startWorker(t, "doomed");
      await waitForLine(successor, "ready", 90_000);
      assert.equal((await find("doomed"))?.pid, successor.pid);
    });
  });
}
