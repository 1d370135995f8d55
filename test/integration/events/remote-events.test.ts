/**
 * One event stream (issue 11): `spool.on` listeners are fed by the store's event log, so an
 * event produced in ANOTHER process — here a remote HTTP worker (its own process) reporting
 * through an API server (a third process) — reaches a library listener in this process, with
 * the `seq` the log gave it. On SQLite and on PostgreSQL.
 */
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { Spool, type JobEventMap } from "../../../src/index.js";
import type { ApiServerProcessConfig } from "../../helpers/api-server-process.js";
import { createSchemaFixture } from "../../helpers/postgres.js";
import { helperPath, spawnTs, stopChild, waitForLine } from "../../helpers/processes.js";
import type { RemoteWorkerProcessConfig } from "../../helpers/remote-worker-process.js";
import { tempSqliteUrl } from "../../helpers/temp-dir.js";
import { nextEvent, waitFor } from "../../helpers/wait-for.js";

type Child = ReturnType<typeof spawnTs>;

describe("spool.on sees other processes' events", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function apiServer(url: string, schema?: string): Promise<string> {
    const config: ApiServerProcessConfig = {
      url,
      ...(schema === undefined ? {} : { schema }),
      allow: [],
      leaseMs: 1_000,
    };
    const child = spawnTs(helperPath("api-server-process.ts"), {
      SPOOL_TEST_API_SERVER: JSON.stringify(config),
    });
    cleanups.push(() => stopChild(child, "SIGKILL"));
    const line = await waitFor(() => child.lines.find((l) => l.startsWith("listening ")), {
      timeoutMs: 30_000,
    });
    return line.slice("listening ".length);
  }

  function remoteWorker(config: RemoteWorkerProcessConfig): Child {
    const child = spawnTs(helperPath("remote-worker-process.ts"), {
      SPOOL_TEST_REMOTE_WORKER: JSON.stringify(config),
    });
    cleanups.push(() => stopChild(child, "SIGKILL"));
    return child;
  }

  async function scenario(options: { url: string; schema?: string }): Promise<void> {
    const spool = await Spool.open({
      url: options.url,
      ...(options.schema === undefined ? {} : { storeTuning: { schema: options.schema } }),
      maintenance: false,
    });
    cleanups.push(() => spool.close());
    const baseUrl = await apiServer(options.url, options.schema);

    const started = nextEvent<JobEventMap["job.started"]>(
      (listener) => spool.on("job.started", listener),
      (e) => e.type === "remote.echo",
      30_000,
    );
    const completed = nextEvent<JobEventMap["job.completed"]>(
      (listener) => spool.on("job.completed", listener),
      (e) => e.type === "remote.echo",
      30_000,
    );
    const job = await spool.enqueue("remote.echo", { n: 7 }, { queue: "remote" });
    const child = remoteWorker({ baseUrl, queue: "remote", type: "remote.echo", worker: "far-1" });
    await waitForLine(child, `done ${job.id}`);

    const start = await started;
    const done = await completed;
    assert.equal(start.jobId, job.id);
    assert.equal(start.worker, "far-1", "the remote worker's name, from the log");
    assert.equal(start.attempt, 1);
    assert.equal(done.jobId, job.id);
    assert.equal(done.status, "completed");
    assert.equal(done.queue, "remote");
    assert.equal(done.attempt, 1);
    assert.deepEqual(done.result, { echo: { n: 7 } });
    assert.ok(done.seq > start.seq, "commit order");
    const logged = await spool.store.readJobEvents({ afterSeq: 0, limit: 100 });
    const mine = logged.filter((e) => e.jobId === job.id).map((e) => [e.name, e.seq]);
    assert.deepEqual(mine.slice(1), [
      ["job.started", start.seq],
      ["job.completed", done.seq],
    ]);
  }

  it("on SQLite: a remote worker's completion, reported to an API server process", async () => {
    await scenario({ url: tempSqliteUrl() });
  });

  it("on PostgreSQL: the same, through another process's API server", async () => {
    const fixture = createSchemaFixture();
    cleanups.push(() => fixture.drop());
    await scenario({ url: fixture.url, schema: fixture.schema });
  });
});
