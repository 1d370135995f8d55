/**
 * The HTTP scenarios (issue #4): `POST /jobs` and `GET /jobs/:id` requests/s under autocannon at
 * 50 connections, and the end-to-end time from `POST /jobs` to the SSE `job.completed` event of
 * a no-op job. Spool only: the peers have no HTTP API.
 *
 * The server runs in a child process (bench/http-server.ts, configured like `spool serve`: API
 * keys on, request logs at `info`), the load generator (autocannon, or the typed client for the
 * end-to-end samples) in the benchmark process, so the two never share an event loop. Each
 * scenario gets a fresh store and a fresh server.
 */
import autocannon from "autocannon";
import { SpoolClient } from "../src/client/client.js";
import type { BenchConfig } from "./config.js";
import {
  once,
  withInstance,
  type HttpEndToEndMeasurement,
  type HttpLoadMeasurement,
  type Scenario,
  type ScenarioId,
} from "./scenarios.js";
import { summarizeLatency } from "./stats.js";
import { NOOP_TYPE, type BenchSystem, type HttpServer } from "./systems/system.js";
import { errorMessage, sleep, withTimeout } from "./wait.js";

/** Ids of the HTTP scenarios; `--scenarios http` selects all of them. */
export const HTTP_SCENARIO_IDS = [
  "http-post",
  "http-get",
  "http-e2e",
] as const satisfies readonly ScenarioId[];

/** Longest one end-to-end sample (submit, stream, completion) may take, ms. */
const STEP_TIMEOUT_MS = 15_000;
/** autocannon's per-request timeout, s. */
const REQUEST_TIMEOUT_S = 10;
/** Slack on top of an autocannon run's length before it is stopped as stuck, ms. */
const LOAD_SLACK_MS = 30_000;

const SUBMIT_BODY = JSON.stringify({ type: NOOP_TYPE, payload: {} });

function appliesToSpool(system: BenchSystem): boolean {
  return system.id.startsWith("spool-");
}

/** Starts the HTTP server on a fresh instance's store, runs `fn`, and always stops it. */
function withServer<T>(
  system: BenchSystem,
  context: Parameters<Scenario["run"]>[2],
  fn: (server: HttpServer) => Promise<T>,
): Promise<T> {
  return withInstance(system, context, async (instance) => {
    if (instance.startHttpServer === undefined) throw new Error("no HTTP API");
    const server = await instance.startHttpServer();
    try {
      return await fn(server);
    } finally {
      await server.stop();
    }
  });
}

/** One autocannon run: its result and every response's time, ms. */
interface LoadRun {
  result: autocannon.Result;
  latencies: number[];
}

/** Runs autocannon against `server` for `durationMs` (bounded; stopped if it hangs). */
async function cannon(
  server: HttpServer,
  config: BenchConfig,
  durationMs: number,
  request: Pick<autocannon.Options, "method" | "body" | "requests"> & { path: string },
): Promise<LoadRun> {
  const latencies: number[] = [];
  let instance: autocannon.Instance | undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: `${server.url}${request.path}`,
        connections: config.httpConnections,
        duration: durationMs / 1000,
        timeout: REQUEST_TIMEOUT_S,
        headers: {
          authorization: `Bearer ${server.token}`,
          ...(request.body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(request.method === undefined ? {} : { method: request.method }),
        ...(request.body === undefined ? {} : { body: request.body }),
        ...(request.requests === undefined ? {} : { requests: request.requests }),
      },
      (error: unknown, result) => (error ? reject(error) : resolve(result)),
    );
    instance.on("response", (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
    });
  });
  try {
    const result = await withTimeout(done, durationMs + LOAD_SLACK_MS, "autocannon to finish");
    return { result, latencies };
  } catch (error) {
    instance?.stop();
    throw error;
  }
}

/**
 * A warm-up run (discarded), then the measured run, with the CPU both processes used during it.
 */
async function measureLoad(
  server: HttpServer,
  config: BenchConfig,
  request: Parameters<typeof cannon>[3],
): Promise<HttpLoadMeasurement> {
  await cannon(server, config, config.httpWarmupMs, request);
  await server.cpuSince();
  const clientCpu = process.cpuUsage();
  const clientWall = performance.now();
  const { result, latencies } = await cannon(server, config, config.httpDurationMs, request);
  const serverCpu = await server.cpuSince();
  const client = process.cpuUsage(clientCpu);
  const clientMs = (client.user + client.system) / 1000;
  if (latencies.length === 0) {
    throw new Error(
      `no responses (${result.errors} errors, ${result.timeouts} timeouts) from ${request.path}`,
    );
  }
  const non2xxByStatus: Record<string, number> = {};
  for (const [status, stats] of Object.entries(result.statusCodeStats ?? {})) {
    if (!status.startsWith("2") && stats.count !== undefined) non2xxByStatus[status] = stats.count;
  }
  return {
    kind: "http-load",
    requestsPerSecond: result.requests.average,
    requests: latencies.length,
    durationS: result.duration,
    latency: summarizeLatency(latencies),
    non2xx: result.non2xx,
    non2xxByStatus,
    errors: result.errors,
    timeouts: result.timeouts,
    serverCpuPercent: (serverCpu.cpuMs / serverCpu.elapsedMs) * 100,
    clientCpuPercent: (clientMs / (performance.now() - clientWall)) * 100,
    connections: config.httpConnections,
  };
}

/** What the HTTP scenarios share, for the report's method notes (printed once). */
export function httpMethodNote(c: BenchConfig): string {
  return (
    "The HTTP scenarios measure Spool only (graphile-worker, pg-boss and BullMQ have no HTTP " +
    "API), one run each, each on a fresh store and a fresh server. The server runs in a child " +
    "process (tsx), set up as `spool serve` runs it: default `Spool.open` options (maintenance " +
    "on), API keys required (every request carries a producer key, `Authorization: Bearer`), " +
    "pino request logs at `info` written to /dev/null; it is the only process using the store. " +
    "The load generator runs in the benchmark process: autocannon for the two load scenarios " +
    `(${c.httpConnections} connections, no pipelining, ${c.httpDurationMs / 1000} s after a ` +
    `${c.httpWarmupMs / 1000} s warm-up run against the same server), the typed client for ` +
    "the end-to-end samples. So the server has an event loop of its own, which it would not " +
    "have if autocannon ran in its process; server, load generator and store still share the " +
    "machine's cores (the autocannon CPU column shows the load generator's share). " +
    "Requests/s is autocannon's mean of its per-second counts; p50/p99 are over every " +
    "response's time (sent → complete response); non-2xx answers, connection errors and " +
    "timeouts are counted and must be 0. Server CPU is the server process's own " +
    "`process.cpuUsage()` over the measured window, in % of one core (PostgreSQL's backends " +
    "not included): near 100 % means the server's single event loop is the limit."
  );
}

const httpPost: Scenario = {
  id: "http-post",
  title: "HTTP: POST /jobs, 50 connections",
  method: (c) =>
    `\`POST /jobs\` with \`${SUBMIT_BODY}\` from ${c.httpConnections} connections, each ` +
    `answered 202 once its submit is committed. No worker runs, so it measures submission ` +
    `alone (the jobs pile up). For context, the row also shows the library's single-submit ` +
    `rate with 16 calls in flight from the same run (\`spool.enqueue\`, no HTTP).`,
  applies: appliesToSpool,
  ...once,
  run: (system, config, context) =>
    withServer(system, context, (server) =>
      measureLoad(server, config, { path: "/jobs", method: "POST", body: SUBMIT_BODY }),
    ),
};

const httpGet: Scenario = {
  id: "http-get",
  title: "HTTP: GET /jobs/:id, 50 connections",
  method: (c) =>
    `${c.httpGetJobs.toLocaleString("en")} jobs are submitted first (one \`POST /jobs/batch\`, ` +
    `not timed); then \`GET /jobs/:id\` cycles through their ids, each connection taking the ` +
    `next id. No worker runs, so every job is waiting and each answer includes its ` +
    `\`queue_position\` and \`eta_seconds\` (a count of the jobs ahead of it, plus queue ` +
    `statistics cached for 2 s), as a client polling its job sees until the job starts. The ` +
    `count's cost grows with the job's position, so these figures hold for a backlog of ` +
    `${c.httpGetJobs.toLocaleString("en")}; deeper queues answer more slowly.`,
  applies: appliesToSpool,
  ...once,
  run: (system, config, context) =>
    withServer(system, context, async (server) => {
      const client = new SpoolClient({ baseUrl: server.url, token: server.token });
      const submitted = await withTimeout(
        client.submitBatch(
          Array.from({ length: config.httpGetJobs }, (_, i) => ({
            type: NOOP_TYPE,
            payload: { i },
          })),
        ),
        STEP_TIMEOUT_MS,
        "the GET scenario's jobs to be submitted",
      );
      const paths = submitted.jobs.map((job) => `/jobs/${job.job_id}`);
      let next = 0;
      return measureLoad(server, config, {
        path: paths[0]!,
        requests: [
          {
            method: "GET",
            setupRequest: (request) => {
              const path = paths[next % paths.length]!;
              next += 1;
              return { ...request, path };
            },
          },
        ],
      });
    }),
};

/** Random whole milliseconds in [min, max]. */
function jitter(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}

/**
 * Submits one no-op job over HTTP and follows its SSE stream to `job.completed`. Returns the
 * times (ms since `performance.timeOrigin`) the submit started and was answered, when the
 * completion event arrived, and whether it was the stream's first event.
 */
async function endToEndSample(
  client: SpoolClient,
  i: number,
): Promise<{ started: number; acknowledged: number; completed: number; finalOnOpen: boolean }> {
  const signal = AbortSignal.timeout(STEP_TIMEOUT_MS);
  const started = performance.now();
  const submitted = await withTimeout(
    client.submit({ type: NOOP_TYPE, payload: { i } }),
    STEP_TIMEOUT_MS,
    `submit ${i}`,
  );
  const acknowledged = performance.now();
  let first = true;
  for await (const event of client.events(`/jobs/${submitted.job_id}/events`, { signal })) {
    if (event.event === "job.completed") {
      return { started, acknowledged, completed: performance.now(), finalOnOpen: first };
    }
    if (event.status !== "queued" && event.status !== "running" && event.event !== "job.snapshot")
      throw new Error(`job ${i} ended with ${event.event}`);
    first = false;
  }
  throw new Error(
    signal.aborted
      ? `no job.completed for job ${i} within ${STEP_TIMEOUT_MS / 1000} s`
      : `the event stream of job ${i} ended without job.completed`,
  );
}

const httpEndToEnd: Scenario = {
  id: "http-e2e",
  title: "HTTP: POST /jobs → SSE job.completed, no-op job",
  method: (c) =>
    `A worker (concurrency ${c.concurrency}, no-op handler) runs in the server's process. One ` +
    `job at a time (${c.httpE2eSamples} samples after ${c.httpE2eWarmup} warm-ups, each 5–15 ` +
    `ms after the previous one finished), the typed client (\`SpoolClient\`, fetch) sends ` +
    `\`POST /jobs\` and, once it is answered, opens \`GET /jobs/:id/events\`; timed from the ` +
    `start of the POST to the arrival of the \`job.completed\` event. Because the stream opens ` +
    `only after the POST returns, a fast job is often complete by then: the server then sends ` +
    `the final event at once (counted in "final event first"), which still measures submit → ` +
    `completion observed by the client. "submit" is the POST alone.`,
  applies: appliesToSpool,
  ...once,
  run: (system, config, context) =>
    withServer(system, context, async (server): Promise<HttpEndToEndMeasurement> => {
      await server.startWorker(config.concurrency);
      const client = new SpoolClient({ baseUrl: server.url, token: server.token });
      const latencies: number[] = [];
      const submits: number[] = [];
      let finalOnOpen = 0;
      for (let k = 0; k < config.httpE2eWarmup + config.httpE2eSamples; k += 1) {
        await sleep(jitter(5, 15));
        let sample: Awaited<ReturnType<typeof endToEndSample>>;
        try {
          sample = await endToEndSample(client, k);
        } catch (error) {
          throw new Error(`sample ${k}: ${errorMessage(error)}`);
        }
        if (k < config.httpE2eWarmup) continue;
        latencies.push(sample.completed - sample.started);
        submits.push(sample.acknowledged - sample.started);
        if (sample.finalOnOpen) finalOnOpen += 1;
      }
      return {
        kind: "http-e2e",
        latency: summarizeLatency(latencies),
        submit: summarizeLatency(submits),
        finalOnOpen,
      };
    }),
};

/** The HTTP scenarios, in run order. */
export const HTTP_SCENARIOS: readonly Scenario[] = [httpPost, httpGet, httpEndToEnd];
