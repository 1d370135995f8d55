/**
 * `npm run bench -- --scale`: reads at scale and the cost of keeping counts (issue 12). For each
 * store and each fill (0 and 1,000,000 finished jobs by default, bench/scale-fill.ts) it opens a
 * fresh store, fills it, then measures, in this order:
 *
 *   * claim+complete throughput: `throughputJobs` no-op jobs enqueued in bulk (not timed), a
 *     worker with concurrency 50 started; timed until every job is reported completed (median
 *     of three such runs);
 *   * the median (and p95) latency of the read routes the dashboard and a Prometheus scrape
 *     call, over `samples` sequential requests each after 3 warm-ups, against an in-process
 *     HTTP server (`--no-auth`, loopback) with no other load.
 *
 * The `baseline` variant drops what this branch adds to the write path (the count triggers and
 * the list-filter indexes) before measuring throughput, to show what keeping counts costs; its
 * reads are not measured (without triggers the counts are wrong). PostgreSQL is checkpointed
 * after the fill, so that its dirty pages are not written out while throughput is timed.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Spool } from "../src/index.js";
import { fillPostgres, fillSqlite } from "./scale-fill.js";
import { median } from "./stats.js";
import { readLatencies, SCALE_ROUTES } from "./scale-reads.js";
import { uniqueName } from "./systems/system.js";
import { dropSchema, quoteIdent, withClient } from "./systems/postgres.js";
import { withTimeout } from "./wait.js";

/** Which store a scale run measures. */
export type ScaleStore = "sqlite" | "postgres";

/** Options of a scale run. */
export interface ScaleOptions {
  stores: readonly ScaleStore[];
  fills: readonly number[];
  throughputJobs: number;
  samples: number;
  /** Also measure throughput without the count triggers and list indexes. */
  baseline: boolean;
  postgresUrl: string;
  progress: (line: string) => void;
}

/** One measured configuration. */
export interface ScaleResult {
  store: ScaleStore;
  fill: number;
  variant: "counters" | "baseline";
  fillSeconds: number;
  jobsPerSecond: number;
  /** Route → [median, p95, CPU of this process per request] ms; empty for the baseline. */
  latency: Map<string, [number, number, number]>;
  /** 1-minute load average when the run ended. */
  load: number;
}

const CONCURRENCY = 50;
const RUN_TIMEOUT_MS = 600_000;

/** Runs every configuration in turn. */
export async function runScale(options: ScaleOptions): Promise<ScaleResult[]> {
  const results: ScaleResult[] = [];
  for (const store of options.stores) {
    for (const fill of options.fills) {
      const variants = options.baseline
        ? (["baseline", "counters"] as const)
        : (["counters"] as const);
      for (const variant of variants) {
        options.progress(`scale: ${store}, ${fill.toLocaleString("en")} jobs, ${variant} …`);
        const result = await withTimeout(
          runOne(store, fill, variant, options),
          RUN_TIMEOUT_MS,
          `scale ${store} ${fill}`,
        );
        const reads = [...result.latency.entries()]
          .map(([route, [p50]]) => `GET ${route} ${p50.toFixed(1)}`)
          .join(", ");
        options.progress(
          `scale: ${store}, ${fill.toLocaleString("en")}, ${variant}: filled in ` +
            `${result.fillSeconds.toFixed(1)} s, ${Math.round(result.jobsPerSecond)} jobs/s` +
            (reads === "" ? "" : `; p50 ms: ${reads}`),
        );
        results.push(result);
      }
    }
  }
  return results;
}

async function runOne(
  store: ScaleStore,
  fill: number,
  variant: "counters" | "baseline",
  options: ScaleOptions,
): Promise<ScaleResult> {
  const now = Date.now();
  let url: string;
  let schema: string | undefined;
  let cleanup: () => Promise<void>;
  let path = "";
  if (store === "sqlite") {
    const dir = await mkdtemp(join(tmpdir(), "spool-scale-"));
    path = join(dir, "spool.db");
    url = `sqlite:${path}`;
    cleanup = () => rm(dir, { recursive: true, force: true });
  } else {
    schema = uniqueName("bench_scale");
    url = options.postgresUrl;
    const dropped = schema;
    cleanup = () => dropSchema(options.postgresUrl, dropped);
  }
  const spool = await Spool.open({
    url,
    maintenance: false,
    ...(schema === undefined ? {} : { storeTuning: { schema } }),
  });
  try {
    const filled = performance.now();
    if (store === "sqlite") fillSqlite(path, fill, now);
    else await fillPostgres(options.postgresUrl, schema!, fill, now);
    const fillSeconds = (performance.now() - filled) / 1000;
    if (variant === "baseline") await dropWriteSide(store, path, options.postgresUrl, schema);
    // The fill's dirty pages must not be flushed while throughput is timed.
    if (store === "postgres")
      await withClient(options.postgresUrl, (client) => client.query("CHECKPOINT"));
    // Median of three runs: one short run is at the mercy of the other sessions' bursts.
    const runs: number[] = [];
    for (let r = 0; r < 3; r++) runs.push(await throughput(spool, options.throughputJobs));
    const jobsPerSecond = median(runs);
    await spool.store.foldJobCounts();
    const latency =
      variant === "baseline"
        ? new Map<string, [number, number, number]>()
        : await readLatencies(spool, options.samples);
    return { store, fill, variant, fillSeconds, jobsPerSecond, latency, load: loadavg()[0]! };
  } finally {
    await spool.close();
    await cleanup();
  }
}

/** Drops the count triggers and list indexes (the `baseline` variant). */
async function dropWriteSide(
  store: ScaleStore,
  path: string,
  postgresUrl: string,
  schema: string | undefined,
): Promise<void> {
  const indexes = ["status", "tenant_status", "queue", "tenant_queue", "type", "tenant_type"];
  const triggers = ["job_counts_insert", "job_counts_update", "job_counts_delete"];
  if (store === "sqlite") {
    const { default: Database } = await import("better-sqlite3");
    const db = new Database(path);
    for (const t of triggers) db.exec(`DROP TRIGGER ${t}`);
    for (const i of indexes) db.exec(`DROP INDEX jobs_${i}_idx`);
    db.close();
    return;
  }
  const s = quoteIdent(schema!);
  await withClient(postgresUrl, async (client) => {
    for (const t of triggers) await client.query(`DROP TRIGGER ${t} ON ${s}.jobs`);
    for (const i of indexes) await client.query(`DROP INDEX ${s}.jobs_${i}_idx`);
  });
}

/** Claim+complete throughput of one in-process worker, jobs/s. */
async function throughput(spool: Spool, jobs: number): Promise<number> {
  for (let i = 0; i < jobs; i += 1_000) {
    const n = Math.min(1_000, jobs - i);
    await spool.enqueueMany(
      Array.from({ length: n }, (_, k) => ({ type: "bench.noop", payload: { i: i + k } })),
    );
  }
  let completed = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const off = spool.on("job.completed", () => {
    completed += 1;
    if (completed === jobs) done();
  });
  const started = performance.now();
  const worker = spool.worker({ concurrency: CONCURRENCY, handlers: { "bench.noop": () => null } });
  await worker.start();
  await finished;
  const elapsed = performance.now() - started;
  await worker.stop();
  off();
  return jobs / (elapsed / 1000);
}

/** The Markdown section of a scale run (between markers, so a full run keeps it). */
export function renderScale(
  results: readonly ScaleResult[],
  options: ScaleOptions,
  startedAt: Date,
): string {
  const fmt = (n: number) => n.toLocaleString("en");
  const lines = [
    SCALE_BEGIN,
    "## Reads at scale and the cost of counting (issue 12)",
    "",
    `Measured ${startedAt.toISOString()} with \`npm run bench -- --scale\` (bench/scale.ts): a fresh ` +
      "store per row, filled with finished jobs (90 % completed, 8 % failed, 2 % cancelled over 6 " +
      "queues, 4 tenants and 4 types, a tenth tagged, finished over the last 24 h), then " +
      `${fmt(options.throughputJobs)} no-op jobs claimed and completed by one worker ` +
      `(concurrency ${CONCURRENCY}; median of 3 runs), then ${options.samples} sequential requests per route ` +
      "(after 3 warm-ups) to an in-process HTTP server with no other load: the summaries a " +
      "Prometheus scrape reads and every call of the dashboard's overview and jobs pages " +
      "(bench/scale-reads.ts; `:cursor` is the first page's `next_cursor`, so those rows are " +
      "the second page; `/events` is timed until the stream's headers). *baseline* drops the " +
      "count triggers and the list-filter indexes first (the write path without this work). " +
      "Load is the 1-minute load average at the end of the row: 8 sessions share the 2 cores, so " +
      "compare rows measured close together.",
    "",
    "| Store | Finished jobs | Variant | Fill (s) | claim+complete jobs/s | vs empty | Load |",
    "| --- | ---: | --- | ---: | ---: | ---: | ---: |",
  ];
  for (const r of results) {
    const empty = results.find(
      (e) => e.store === r.store && e.variant === r.variant && e.fill === 0,
    );
    const ratio =
      empty === undefined ? "" : `${((r.jobsPerSecond / empty.jobsPerSecond) * 100).toFixed(0)} %`;
    lines.push(
      `| ${r.store} | ${fmt(r.fill)} | ${r.variant} | ${r.fillSeconds.toFixed(1)} | ` +
        `${fmt(Math.round(r.jobsPerSecond))} | ${ratio} | ${r.load.toFixed(1)} |`,
    );
  }
  const measured = results.filter((r) => r.latency.size > 0);
  lines.push(
    "",
    "Read latency, median / p95 ms (wall time), then the CPU ms this process (HTTP server and " +
      "client; PostgreSQL's own backend not included) spent per request:",
    "",
  );
  lines.push(
    `| Route | ${measured.map((r) => `${r.store}, ${fmt(r.fill)}`).join(" | ")} |`,
    `| --- | ${measured.map(() => "---:").join(" | ")} |`,
  );
  for (const label of SCALE_ROUTES) {
    const cells = measured.map((r) => {
      const [p50, p95, cpu] = r.latency.get(label) ?? [NaN, NaN, NaN];
      return `${p50.toFixed(1)} / ${p95.toFixed(1)} (cpu ${cpu.toFixed(1)})`;
    });
    lines.push(`| \`GET ${label}\` | ${cells.join(" | ")} |`);
  }
  lines.push(SCALE_END);
  return lines.join("\n");
}

export const SCALE_BEGIN = "<!-- scale:begin (npm run bench -- --scale; kept by full runs) -->";
export const SCALE_END = "<!-- scale:end -->";

/**
 * `document` with its `name` section (between `<!-- name:begin … -->` and `<!-- name:end -->`)
 * replaced by `section`, or with `section` appended when it has none.
 */
export function withSection(document: string, name: string, section: string): string {
  const [begin, end] = sectionBounds(document, name);
  if (begin < 0) return `${document.trimEnd()}\n\n${section}\n`;
  return `${document.slice(0, begin)}${section}${document.slice(end)}`;
}

/** The `name` section of `document` with its markers, or "" when it has none. */
export function sectionOf(document: string, name: string): string {
  const [begin, end] = sectionBounds(document, name);
  return begin < 0 ? "" : document.slice(begin, end);
}

function sectionBounds(document: string, name: string): [number, number] {
  const begin = document.indexOf(`<!-- ${name}:begin`);
  const endMarker = `<!-- ${name}:end -->`;
  const end = document.indexOf(endMarker, begin);
  return begin < 0 || end < 0 ? [-1, -1] : [begin, end + endMarker.length];
}
