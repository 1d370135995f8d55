/**
 * The read side of `npm run bench -- --scale` (bench/scale.ts): the routes a Prometheus scrape
 * and the dashboard's overview and jobs pages call (src/dashboard/pages/overview.tsx, jobs.tsx,
 * main.tsx, api.ts), each timed over `samples` sequential requests after 3 warm-ups.
 *
 * Placeholders in a path are filled from the store before timing: `:id` by a filled job's id,
 * `:cursor` by the `next_cursor` of the first page of the same list (so a `cursor=` row times
 * the dashboard's "Next page"). `GET /events` is the dashboard's live stream: it never ends, so
 * it is timed until its response headers arrive (the stream is open), then aborted.
 */
import { startServer } from "../src/http/server.js";
import type { Spool } from "../src/index.js";
import { median, percentile } from "./stats.js";

/** The routes measured, by label (the label is the path with placeholders). */
export const SCALE_ROUTES: readonly string[] = [
  // Prometheus and the API's summaries.
  "/stats",
  "/queues",
  "/metrics",
  // The dashboard shell and its overview page (polled every 5 s and on live events).
  "/session",
  "/throughput?window_seconds=300",
  "/throughput?window_seconds=3600",
  "/workers",
  "/tenants",
  "/events",
  // The jobs page: its default (no filter), each filter it offers, and "Next page".
  "/jobs?limit=50",
  "/jobs?limit=50&cursor=:cursor",
  "/jobs?status=failed&limit=50",
  "/jobs?status=failed&limit=50&cursor=:cursor",
  "/jobs?queue=video&limit=50",
  "/jobs?queue=video&limit=50&cursor=:cursor",
  "/jobs?type=mail.send&limit=50",
  "/jobs?tag=nightly&limit=50",
  "/jobs?tag=nightly&limit=50&cursor=:cursor",
  "/jobs?tenant=acme&limit=50",
  "/jobs?tenant=acme&status=cancelled&limit=50",
  "/jobs?queue=video&status=failed&limit=50",
  "/jobs?queue=video&type=mail.send&status=failed&limit=50",
  // The job detail (and the jobs page's id search).
  "/jobs/:id",
];

const WARMUP = 3;

/** Route → [median, p95, CPU of this process per request] ms. */
export type Latencies = Map<string, [number, number, number]>;

/** Median and p95 of each route, sequential requests, ms. */
export async function readLatencies(spool: Spool, samples: number): Promise<Latencies> {
  const server = await startServer({ spool, auth: false, port: 0, logger: false, webhooks: false });
  try {
    const page = (await (await fetch(`${server.url}/jobs?status=completed&limit=1`)).json()) as {
      jobs: { id: string }[];
    };
    const id = page.jobs[0]?.id ?? "00000000-0000-7000-8000-000000000000";
    const latency: Latencies = new Map();
    for (const label of SCALE_ROUTES) {
      const target = `${server.url}${await resolve(server.url, label, id)}`;
      const times: number[] = [];
      let cpu = process.cpuUsage();
      for (let k = 0; k < WARMUP + samples; k++) {
        if (k === WARMUP) cpu = process.cpuUsage();
        const started = performance.now();
        await request(label, target);
        if (k >= WARMUP) times.push(performance.now() - started);
      }
      const used = process.cpuUsage(cpu);
      latency.set(label, [
        median(times),
        percentile(times, 95),
        (used.user + used.system) / 1000 / samples,
      ]);
    }
    return latency;
  } finally {
    await server.close();
  }
}

/** `label` with its placeholders filled. */
async function resolve(base: string, label: string, id: string): Promise<string> {
  let path = label.replace(":id", id);
  if (path.includes(":cursor")) {
    const first = path.replace(/&cursor=:cursor/, "");
    const answer = (await (await fetch(`${base}${first}`)).json()) as {
      next_cursor: string | null;
    };
    if (answer.next_cursor === null) return first;
    path = path.replace(":cursor", encodeURIComponent(answer.next_cursor));
  }
  return path;
}

/** One request: the whole body, or (for the never-ending event stream) its headers. */
async function request(label: string, target: string): Promise<void> {
  if (label === "/events") {
    const controller = new AbortController();
    const response = await fetch(target, { signal: controller.signal });
    if (!response.ok) throw new Error(`GET ${label}: HTTP ${response.status}`);
    controller.abort();
    await response.body?.cancel().catch(() => undefined);
    return;
  }
  const response = await fetch(target);
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`GET ${label}: HTTP ${response.status}`);
}
