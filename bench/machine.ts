/**
 * Facts about the machine and the servers the benchmark ran against, for the report's header.
 * A fact that cannot be read is reported as "unavailable: <reason>" rather than failing the run.
 */
import { readFile } from "node:fs/promises";
import os from "node:os";
import Database from "better-sqlite3";
import { redisFacts } from "./systems/bullmq.js";
import { postgresFacts } from "./systems/postgres.js";
import { errorMessage, sleep, withTimeout } from "./wait.js";

/** Facts printed at the top of the report. */
export interface MachineFacts {
  cpus: string;
  memory: string;
  os: string;
  node: string;
  postgres: string;
  postgresDurability: string;
  redis: string;
  redisPersistence: string;
  sqlite: string;
}

const FACT_TIMEOUT_MS = 10_000;

async function fact<T>(read: () => Promise<T>): Promise<T | string> {
  try {
    return await withTimeout(read(), FACT_TIMEOUT_MS, "the server");
  } catch (error) {
    return `unavailable: ${errorMessage(error)}`;
  }
}

/** Reads the machine facts; `postgresUrl` is only queried with `SHOW`. */
export async function readMachineFacts(postgresUrl: string): Promise<MachineFacts> {
  const cpus = os.cpus();
  const pg = await fact(() => postgresFacts(postgresUrl));
  const redis = await fact(() => redisFacts());
  let sqlite: string;
  try {
    const db = new Database(":memory:");
    sqlite = String(db.prepare("select sqlite_version()").pluck().get());
    db.close();
  } catch (error) {
    sqlite = `unavailable: ${errorMessage(error)}`;
  }
  return {
    cpus: `${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown CPU"}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    node: process.version,
    postgres: typeof pg === "string" ? pg : pg.version,
    postgresDurability:
      typeof pg === "string"
        ? pg
        : `synchronous_commit=${pg.synchronousCommit}, fsync=${pg.fsync}, ` +
          `shared_buffers=${pg.sharedBuffers}`,
    redis: typeof redis === "string" ? redis : redis.version,
    redisPersistence: typeof redis === "string" ? redis : redis.persistence,
    sqlite,
  };
}

/** Busy and total CPU time of all cores since boot, in clock ticks (Linux `/proc/stat`). */
async function cpuTicks(): Promise<{ busy: number; total: number } | undefined> {
  try {
    const line = (await readFile("/proc/stat", "utf8")).split("\n")[0] ?? "";
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal …: idle and iowait are not busy.
    const total = ticks.reduce((sum, n) => sum + n, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/**
 * How busy the machine's CPUs are over `durationMs` (0–1, all cores together), or undefined
 * where `/proc/stat` does not exist. Sampled while the benchmark itself is idle, it measures
 * other work competing for the machine.
 */
export async function sampleCpuBusy(durationMs: number): Promise<number | undefined> {
  const before = await cpuTicks();
  await sleep(durationMs);
  const after = await cpuTicks();
  if (before === undefined || after === undefined || after.total <= before.total) return undefined;
  return (after.busy - before.busy) / (after.total - before.total);
}
