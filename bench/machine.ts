/**
 * Facts about the machine and the servers the benchmark ran against, for the report's header.
 * A fact that cannot be read is reported as "unavailable: <reason>" rather than failing the run.
 */
import os from "node:os";
import Database from "better-sqlite3";
import { redisFacts } from "./systems/bullmq.js";
import { postgresFacts } from "./systems/postgres.js";
import { errorMessage, withTimeout } from "./wait.js";

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
