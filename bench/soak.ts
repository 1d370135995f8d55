/**
 * `npm run bench -- --soak [--soak-minutes 10] [--soak-rate 100]`: a steady-load run (issue 12).
 * One process runs `spool serve`'s pieces — the HTTP API with maintenance on and a worker
 * (concurrency 50, no-op handler) — and submits `POST /jobs` at a fixed rate for the given
 * minutes. Every 10 s it samples the process's RSS and heap and the event-loop delay (p50, p99,
 * max since the previous sample); at the end it reports the slope of RSS and heap over time by
 * least squares, skipping the first minute (warm-up: JIT, pools, caches), so a leak shows as a
 * steady positive slope. The submitter shares the process (so the RSS includes it); the rate is
 * low enough that it is a small share of the work.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Spool } from "../src/index.js";
import { startServer } from "../src/http/server.js";
import { uniqueName } from "./systems/system.js";
import { dropSchema } from "./systems/postgres.js";
import { sleep } from "./wait.js";

/** Options of a soak run. */
export interface SoakOptions {
  store: "sqlite" | "postgres";
  minutes: number;
  /** Submissions per second. */
  rate: number;
  postgresUrl: string;
  progress: (line: string) => void;
}

/** One sample. */
export interface SoakSample {
  atS: number;
  rssMb: number;
  heapMb: number;
  delayP50Ms: number;
  delayP99Ms: number;
  delayMaxMs: number;
  submitted: number;
  completed: number;
  load: number;
}

/** What a soak run measured. */
export interface SoakResult {
  options: SoakOptions;
  samples: SoakSample[];
  /** Least-squares slopes after the first minute, MB per minute. */
  rssSlope: number;
  heapSlope: number;
  submitted: number;
  completed: number;
  failedSubmits: number;
}

const SAMPLE_MS = 10_000;
const WARMUP_S = 60;

/** Runs the soak; see the module header. */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  let url: string;
  let schema: string | undefined;
  let cleanup: () => Promise<void>;
  if (options.store === "sqlite") {
    const dir = await mkdtemp(join(tmpdir(), "spool-soak-"));
    url = `sqlite:${join(dir, "spool.db")}`;
    cleanup = () => rm(dir, { recursive: true, force: true });
  } else {
    schema = uniqueName("bench_soak");
    url = options.postgresUrl;
    const dropped = schema;
    cleanup = () => dropSchema(options.postgresUrl, dropped);
  }
  const spool = await Spool.open({
    url,
    ...(schema === undefined ? {} : { storeTuning: { schema } }),
  });
  const server = await startServer({ spool, auth: false, port: 0, logger: false, webhooks: false });
  let completed = 0;
  const off = spool.on("job.completed", () => (completed += 1));
  const worker = spool.worker({ concurrency: 50, handlers: { "bench.noop": () => null } });
  await worker.start();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const samples: SoakSample[] = [];
  let submitted = 0;
  let failedSubmits = 0;
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  const endAt = started + options.minutes * 60_000;
  let nextSample = started + SAMPLE_MS;
  try {
    // Submissions on a fixed schedule: the k-th is due at started + k / rate, whatever the
    // answers' timing (a slow server shows as a growing backlog, not as a lower rate).
    for (let k = 0; performance.now() < endAt; k++) {
      const due = started + (k * 1000) / options.rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const request = fetch(`${server.url}/jobs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "bench.noop", payload: { k } }),
      })
        .then(async (response) => {
          await response.arrayBuffer();
          if (response.ok) submitted += 1;
          else failedSubmits += 1;
        })
        .catch(() => {
          failedSubmits += 1;
        });
      inFlight.add(request);
      void request.finally(() => inFlight.delete(request));
      if (performance.now() >= nextSample) {
        nextSample += SAMPLE_MS;
        const memory = process.memoryUsage();
        samples.push({
          atS: (performance.now() - started) / 1000,
          rssMb: memory.rss / 1_048_576,
          heapMb: memory.heapUsed / 1_048_576,
          delayP50Ms: delay.percentile(50) / 1e6,
          delayP99Ms: delay.percentile(99) / 1e6,
          delayMaxMs: delay.max / 1e6,
          submitted,
          completed,
          load: loadavg()[0]!,
        });
        delay.reset();
        const last = samples[samples.length - 1]!;
        options.progress(
          `soak: ${last.atS.toFixed(0)} s, RSS ${last.rssMb.toFixed(1)} MB, heap ` +
            `${last.heapMb.toFixed(1)} MB, loop delay p99 ${last.delayP99Ms.toFixed(1)} ms, ` +
            `${submitted} submitted, ${completed} completed`,
        );
      }
    }
    await Promise.all(inFlight);
  } finally {
    delay.disable();
    await worker.stop();
    off();
    await server.close();
    await spool.close();
    await cleanup();
  }
  const steady = samples.filter((sample) => sample.atS >= WARMUP_S);
  return {
    options,
    samples,
    rssSlope: slopePerMinute(steady.map((s) => [s.atS, s.rssMb])),
    heapSlope: slopePerMinute(steady.map((s) => [s.atS, s.heapMb])),
    submitted,
    completed,
    failedSubmits,
  };
}

/** Least-squares slope of (seconds, MB) points, in MB per minute (0 for fewer than 2). */
export function slopePerMinute(points: readonly (readonly [number, number])[]): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const mx = points.reduce((sum, [x]) => sum + x, 0) / n;
  const my = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60;
}

/** The Markdown section of a soak run (between markers, so a full run keeps it). */
export function renderSoak(result: SoakResult, startedAt: Date): string {
  const { options } = result;
  const lines = [
    "<!-- soak:begin (npm run bench -- --soak; kept by full runs) -->",
    "## Soak: steady load over time (issue 12)",
    "",
    `Measured ${startedAt.toISOString()} with \`npm run bench -- --soak --soak-minutes ` +
      `${options.minutes}\` on ${options.store} (bench/soak.ts): \`POST /jobs\` at ` +
      `${options.rate} jobs/s on a fixed schedule against the HTTP API with maintenance on and ` +
      "a worker (concurrency 50, no-op handler), all in one process; a sample every 10 s. " +
      `${result.submitted.toLocaleString("en")} jobs submitted (${result.failedSubmits} ` +
      `refused or failed), ${result.completed.toLocaleString("en")} completed.`,
    "",
    `**RSS slope after the first minute: ${result.rssSlope.toFixed(2)} MB/min; heap: ` +
      `${result.heapSlope.toFixed(2)} MB/min** (least squares over the samples).`,
    "",
    "| t (s) | RSS (MB) | heap (MB) | loop delay p50 / p99 / max (ms) | submitted | completed | load |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const s of result.samples) {
    lines.push(
      `| ${s.atS.toFixed(0)} | ${s.rssMb.toFixed(1)} | ${s.heapMb.toFixed(1)} | ` +
        `${s.delayP50Ms.toFixed(1)} / ${s.delayP99Ms.toFixed(1)} / ${s.delayMaxMs.toFixed(1)} | ` +
        `${s.submitted} | ${s.completed} | ${s.load.toFixed(1)} |`,
    );
  }
  lines.push("<!-- soak:end -->");
  return lines.join("\n");
}
