/**
 * A process that only runs maintenance (no workers), for leadership tests. Configured by the JSON
 * in `SPOOL_TEST_MAINTENANCE` (see `MaintenanceProcessConfig`). Prints one JSON line per
 * leadership change (`{"event":"leader"|"follower","at":ms}`) and per maintenance round that did
 * work (`{"event":"round","service":…,"count":…,"at":ms}`), then `ready` once open. SIGTERM
 * closes the Spool (releasing the leadership) and exits.
 */
import { Spool } from "../../src/index.js";
import type { Logger } from "../../src/core/logger.js";

/** What the parent tells the child. */
export interface MaintenanceProcessConfig {
  url: string;
  /** PostgreSQL schema, when `url` is a postgres URL. */
  schema?: string;
  leaderLeaseMs: number;
}

const config = JSON.parse(process.env.SPOOL_TEST_MAINTENANCE ?? "{}") as MaintenanceProcessConfig;
const print = (fields: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ ...fields, pid: process.pid, at: Date.now() })}\n`);
};
const logger: Logger = {
  debug: (fields, message) => {
    if (message === "maintenance round" && Number(fields.count) > 0)
      print({ event: "round", service: fields.service, count: fields.count });
  },
  info: (_fields, message) => {
    if (message === "maintenance leadership acquired") print({ event: "leader" });
    if (message === "maintenance leadership lost") print({ event: "follower" });
  },
  warn: (fields, message) => process.stderr.write(`${message} ${String(fields.err)}\n`),
  error: (fields, message) => process.stderr.write(`${message} ${String(fields.err)}\n`),
};
const spool = await Spool.open({
  url: config.url,
  ...(config.schema === undefined ? {} : { storeTuning: { schema: config.schema, poolSize: 2 } }),
  logger,
  maintenance: { rescueIntervalMs: 50, promoteIntervalMs: 50, leaderLeaseMs: config.leaderLeaseMs },
  random: () => 0,
});
process.on("SIGTERM", () => {
  void spool.close().then(() => process.exit(0));
});
// Maintenance timers do not keep a process alive (nor does an SQLite file): this does.
setInterval(() => undefined, 1 << 30);
process.stdout.write("ready\n");
