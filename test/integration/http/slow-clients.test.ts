/**
 * Backpressure on live events: an SSE or WebSocket client that stops reading while many events
 * are produced is dropped once its backlog passes the server's limit, with a logged reason; the
 * server's buffer for it stays bounded, and an SSE client resumes with `Last-Event-ID`
 * from the last event it received. The clients are real sockets that stop reading (a raw TCP
 * socket, a `ws` client), so the kernel's buffers fill first and then the server's.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import pino from "pino";
import WebSocket from "ws";
import { startServer, type RunningServer } from "../../../src/http/server.js";
import { Spool } from "../../../src/index.js";
import { tempSqliteUrl } from "../../helpers/temp-dir.js";
import { waitFor } from "../../helpers/wait-for.js";

/** The default limit, set explicitly. */
const LIMIT_BYTES = 1024 * 1024;
/** One burst: what the feed fans out in one run (here at most 2 batches of 1,000 jobs' events). */
const BURST_BYTES = 2_000 * 300;
/** A child process that reads an SSE stream and prints how many events it has seen. */
const READER = `
const response = await fetch(process.argv[1]);
const decoder = new TextDecoder();
let text = "";
let seen = 0;
for await (const chunk of response.body) {
  text += decoder.decode(chunk, { stream: true });
  const events = text.split("\\n\\n");
  text = events.pop();
  seen += events.filter((event) => event.startsWith("id: ")).length;
  process.stdout.write(seen + "\\n");
}`;

interface DropLog {
  msg: string;
  stream: string;
  bufferedBytes: number;
  maxBufferedBytes: number;
}

describe("slow live-event clients are dropped, not buffered for", () => {
  let spool: Spool;
  let server: RunningServer;
  const logs: DropLog[] = [];

  before(async () => {
    spool = await Spool.open({ url: tempSqliteUrl(), maintenance: false });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString("utf8").split("\n"))
          if (line.includes("stopped reading")) logs.push(JSON.parse(line) as DropLog);
        done();
      },
    });
    server = await startServer({
      spool,
      port: 0,
      auth: false,
      logger: pino({ level: "warn" }, sink),
      streamBufferBytes: LIMIT_BYTES,
    });
  });
  after(async () => {
    await server.close();
    await spool.close();
  });

  /** Submits jobs (one `job.queued` event each) until `done()` or 200,000 jobs. */
  const produceUntil = async (done: () => boolean): Promise<number> => {
    let jobs = 0;
    while (!done() && jobs < 200_000) {
      await spool.enqueueMany(
        Array.from({ length: 1_000 }, (_, i) => ({ type: "x.flood", payload: { i } })),
      );
      jobs += 1_000;
      // Give the feed a turn to fan the batch out before the next one.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return jobs;
  };

  it("a client that keeps reading (another process) is never dropped while a flood passes", async () => {
    // The reader runs in its own process, as a real client does: one in this process could
    // not read while this process writes.
    const reader = spawn(
      process.execPath,
      ["--input-type=module", "-e", READER, `${server.url}/events`],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let seen = 0;
    reader.stdout.setEncoding("utf8");
    reader.stdout.on("data", (chunk: string) => {
      const counts = chunk.trim().split("\n");
      seen = Number(counts.at(-1));
    });
    try {
      await waitFor(() => server.built.context.streams.size === 1);
      const total = 20_000; // ~5 MB of events, many times the limit
      for (let done = 0; done < total; done += 1_000) {
        await spool.enqueueMany(
          Array.from({ length: 1_000 }, (_, i) => ({ type: "x.burst", payload: { i } })),
        );
      }
      await waitFor(() => seen >= total, { timeoutMs: 60_000 });
      assert.equal(seen, total);
      assert.deepEqual(logs, [], "no client was dropped");
    } finally {
      reader.kill("SIGKILL");
    }
    await waitFor(() => server.built.context.streams.size === 0);
  });

  it("SSE: a paused TCP client is dropped with a logged reason and resumes with Last-Event-ID", async () => {
    const socket: Socket = connect(server.port, "127.0.0.1");
    const closed = once(socket, "close");
    await once(socket, "connect");
    let received = "";
    socket.setEncoding("utf8");
    const onData = (chunk: string): void => {
      received += chunk;
    };
    socket.on("data", onData);
    socket.write("GET /events HTTP/1.1\r\nHost: test\r\nAccept: text/event-stream\r\n\r\n");
    await waitFor(() => received.includes("retry: 2000"));
    socket.pause(); // stops reading: the kernel's buffers fill, then the server's
    const streams = server.built.context.streams;
    assert.equal(streams.size, 1);

    const jobs = await produceUntil(() => logs.some((log) => log.stream === "sse"));
    const drop = logs.find((log) => log.stream === "sse");
    assert.ok(drop, `not dropped after ${jobs} events`);
    assert.match(drop.msg, /stopped reading/);
    assert.equal(drop.maxBufferedBytes, LIMIT_BYTES);
    // Bounded: the limit plus at most one burst (the feed's batch of events).
    assert.ok(drop.bufferedBytes <= LIMIT_BYTES + BURST_BYTES, `held ${drop.bufferedBytes} bytes`);
    await waitFor(() => streams.size === 0);

    // Reading again, the client gets what the kernel held, then the end of the connection.
    socket.resume();
    await closed;
    const ids = [...received.matchAll(/id: (\d+)\nevent: [^\n]+\ndata: [^\n]+\n\n/g)].map((match) =>
      Number(match[1]),
    );
    assert.ok(ids.length > 0, "events were delivered before the drop");
    const lastId = ids.at(-1)!;
    const [next] = await spool.store.readJobEvents({ afterSeq: lastId, limit: 1 });
    assert.ok(next, "events were produced after the last one delivered");

    // Resuming: the first event is the one after the last received — no gap.
    const controller = new AbortController();
    const response = await fetch(`${server.url}/events`, {
      headers: { "last-event-id": String(lastId) },
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!/id: \d+\n/.test(text)) text += decoder.decode((await reader.read()).value);
    controller.abort();
    await reader.cancel().catch(() => undefined);
    assert.equal(Number(/id: (\d+)\n/.exec(text)![1]), next.seq);
  });

  it("WebSocket: a client that stops reading is terminated with a logged reason", async () => {
    const ws = new WebSocket(`${server.url.replace("http", "ws")}/ws`);
    await once(ws, "open");
    ws.pause();
    const closed = once(ws, "close");
    const streams = server.built.context.streams;
    await waitFor(() => streams.size === 1);

    const jobs = await produceUntil(() => logs.some((log) => log.stream === "ws"));
    const drop = logs.find((log) => log.stream === "ws");
    assert.ok(drop, `not dropped after ${jobs} events`);
    assert.ok(drop.bufferedBytes <= LIMIT_BYTES + BURST_BYTES, `held ${drop.bufferedBytes} bytes`);
    await waitFor(() => streams.size === 0);
    ws.resume();
    const [code] = (await closed) as [number];
    assert.equal(code, 1006, "terminated (no close frame could get through the backlog)");
  });
});
