/**
 * The cron run: two real `spool serve` processes on one store (an SQLite file, or a PostgreSQL
 * database of its own) and one schedule, PUT through the first and watched through the second,
 * until `ticks` ticks have been enqueued; then the schedule is paused and every job it enqueued
 * is counted by tick. Exactly once per tick means: no tick has two jobs, no job belongs to a
 * tick outside the run, and no tick between the first and the last is missing. It also reports
 * the jobs against the ticks of the wall-clock window (PUT → pause), which may differ by one at
 * each edge. Used by test/integration/maintenance/cron-processes.test.ts (per-second schedule,
 * ~10 s) and by `npm run cron-run` (per-minute schedule, 3 minutes; figures in docs/design.md).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseCron } from "../../src/core/cron.js";
import { randomToken } from "../../src/core/ids.js";
import { adminQuery, PG_TEST_URL } from "../../test/helpers/postgres.js";
import { tempDir } from "../../test/helpers/temp-dir.js";

const SPOOL_BIN = fileURLToPath(new URL("../../bin/spool.js", import.meta.url));
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SERVING = /^Spool is serving (http:\/\/\S+)/m;
const NAME = "cron-run";
const TYPE = "cron.run";

/** What to run. */
export interface CronRunOptions {
  store: "sqlite" | "postgres";
  /** The schedule's expression, e.g. `*\/1 * * * * *` or `* * * * *`. */
  cron: string;
  /** Ticks to wait for before pausing the schedule. */
  ticks: number;
  log?: (line: string) => void;
}

/** What the run found. */
export interface CronRunReport {
  store: string;
  cron: string;
  /** ISO times of the first and the last tick enqueued. */
  firstTick: string | null;
  lastTick: string | null;
  /** Wall-clock window from the PUT's answer to the pause's, ms. */
  windowMs: number;
  /** Ticks of the expression inside that window. */
  windowTicks: number;
  /** Jobs the schedule enqueued. */
  jobs: number;
  /** Ticks with more than one job (must be empty). */
  duplicateTicks: string[];
  /** Ticks between the first and the last enqueued tick that have no job. */
  missingTicks: string[];
  /** Jobs whose tick is not one of the expression's (must be empty). */
  strayJobs: string[];
}

interface Serve {
  child: ChildProcess;
  base: string;
}

/** Runs it; see the module header. */
export async function runCronRun(options: CronRunOptions): Promise<CronRunReport> {
  const log = options.log ?? (() => undefined);
  const target = await createTarget(options.store);
  const serves: Serve[] = [];
  try {
    serves.push(...(await Promise.all([startServe(target.url), startServe(target.url)])));
    log(`two spool serve processes: ${serves.map((s) => s.base).join(", ")}`);
    const [a, b] = serves as [Serve, Serve];
    const put = await call(a.base, "PUT", `/schedules/${NAME}`, { cron: options.cron, type: TYPE });
    const startedAt = Date.now();
    if (put.status !== 201) throw new Error(`PUT answered ${put.status}: ${JSON.stringify(put)}`);
    const ticks = parseCron(options.cron);
    let lastTick = Date.parse(String(put.next_run_at));
    for (let i = 1; i < options.ticks; i++) lastTick = ticks.nextAfter(lastTick)!;
    log(`waiting for ${options.ticks} ticks, until ${new Date(lastTick).toISOString()}`);
    for (;;) {
      const schedule = await call(b.base, "GET", `/schedules/${NAME}`);
      if (schedule.last_run_at !== null && Date.parse(String(schedule.last_run_at)) >= lastTick)
        break;
      if (Date.now() > lastTick + 30_000) throw new Error("the ticks stopped coming");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const paused = await call(b.base, "POST", `/schedules/${NAME}/pause`);
    const windowMs = Date.now() - startedAt;
    const keys = await scheduleJobKeys(b.base);
    return countTicks(options, ticks, keys, startedAt, windowMs, paused);
  } finally {
    await Promise.all(serves.map((serve) => stopServe(serve.child)));
    await target.drop();
  }
}

/** Compares the jobs' ticks with the expression's (see the report's fields). */
function countTicks(
  options: CronRunOptions,
  ticks: ReturnType<typeof parseCron>,
  keys: string[],
  startedAt: number,
  windowMs: number,
  paused: Record<string, unknown>,
): CronRunReport {
  const prefix = `schedule:${NAME}:`;
  const byTick = new Map<string, number>();
  for (const key of keys) byTick.set(key, (byTick.get(key) ?? 0) + 1);
  const tickTimes = [...byTick.keys()].map((key) => Date.parse(key.slice(prefix.length)));
  const first = Math.min(...tickTimes);
  const last = Math.max(...tickTimes);
  const missingTicks: string[] = [];
  const expected = new Set<number>();
  for (let t: number | null = first; t !== null && t <= last; t = ticks.nextAfter(t)) {
    expected.add(t);
    if (!byTick.has(prefix + new Date(t).toISOString()))
      missingTicks.push(new Date(t).toISOString());
  }
  let windowTicks = 0;
  for (let t = ticks.nextAfter(startedAt - 1); t !== null && t <= startedAt + windowMs;) {
    windowTicks++;
    t = ticks.nextAfter(t);
  }
  return {
    store: options.store,
    cron: options.cron,
    firstTick: keys.length === 0 ? null : new Date(first).toISOString(),
    lastTick: paused.last_run_at === null ? null : String(paused.last_run_at),
    windowMs,
    windowTicks,
    jobs: keys.length,
    duplicateTicks: [...byTick].filter(([, n]) => n > 1).map(([key]) => key),
    missingTicks,
    strayJobs: tickTimes.filter((t) => !expected.has(t)).map((t) => new Date(t).toISOString()),
  };
}

/** The unique keys of every job of the run's type, through the paged list. */
async function scheduleJobKeys(base: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `type=${TYPE}&limit=500${cursor === null ? "" : `&cursor=${cursor}`}`;
    const page = await call(base, "GET", `/jobs?${query}`);
    for (const job of page.jobs as { unique_key: string }[]) keys.push(job.unique_key);
    cursor = page.next_cursor as string | null;
  } while (cursor !== null);
  return keys;
}

async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown> & { status: number }> {
  const response = await fetch(base + path, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  return { ...((await response.json()) as Record<string, unknown>), status: response.status };
}

/** A store of the run's own: a temp SQLite file, or a new PostgreSQL database. */
async function createTarget(
  store: CronRunOptions["store"],
): Promise<{ url: string; drop: () => Promise<void> }> {
  if (store === "sqlite")
    return { url: `sqlite:${join(tempDir(), "spool.db")}`, drop: async () => undefined };
  const database = `cron_${randomToken()
    .slice(0, 12)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "x")}`;
  await adminQuery(`CREATE DATABASE "${database}"`);
  return {
    url: Object.assign(new URL(PG_TEST_URL), { pathname: `/${database}` }).toString(),
    drop: async () => {
      await adminQuery(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    },
  };
}

/** `spool serve --no-auth --workers 0` (jobs stay queued, to be counted); resolves on its banner. */
async function startServe(url: string): Promise<Serve> {
  const child = spawn(
    process.execPath,
    [
      SPOOL_BIN,
      "serve",
      "--no-auth",
      "--workers",
      "0",
      "--port",
      "0",
      "--log-level",
      "warn",
    ].concat(["--url", url]),
    {
      cwd: ROOT,
      env: Object.fromEntries(
        Object.entries(process.env).filter(
          ([name]) => !["SPOOL_URL", "DATABASE_URL", "NODE_TEST_CONTEXT"].includes(name),
        ),
      ),
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let output = "";
  child.stdout!.setEncoding("utf8");
  return new Promise((resolve, reject) => {
    child.on("exit", (code) => reject(new Error(`spool serve exited (${code}) before serving`)));
    child.stdout!.on("data", (chunk: string) => {
      output += chunk;
      const match = SERVING.exec(output);
      if (match !== null) {
        output = "";
        child.stdout!.removeAllListeners("data");
        child.stdout!.resume();
        resolve({ child, base: match[1]! });
      }
    });
  });
}

async function stopServe(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  await exited;
}
