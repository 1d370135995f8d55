/**
 * An API server process for multi-process webhook tests: `startServer` on the store named by the
 * JSON in `SPOOL_TEST_API_SERVER` (see `ApiServerProcessConfig`), without auth, with the given
 * webhook allow-list and fast delivery settings. Prints `listening <url>` once up; SIGTERM
 * closes it and exits (SIGKILL is the crash).
 */
import { startServer } from "../../src/http/server.js";
import { Spool } from "../../src/index.js";

/** What the parent tells the child. */
export interface ApiServerProcessConfig {
  url: string;
  /** PostgreSQL schema, when `url` is a postgres URL. */
  schema?: string;
  allow: string[];
  /** Lease of a delivery being sent, ms. */
  leaseMs: number;
}

const config = JSON.parse(process.env.SPOOL_TEST_API_SERVER ?? "{}") as ApiServerProcessConfig;
const spool = await Spool.open({
  url: config.url,
  ...(config.schema === undefined ? {} : { storeTuning: { schema: config.schema, poolSize: 4 } }),
  maintenance: false,
});
const server = await startServer({
  spool,
  port: 0,
  auth: false,
  webhooks: {
    allow: config.allow,
    delivery: {
      leaseMs: config.leaseMs,
      timeoutMs: Math.floor(config.leaseMs / 2),
      pollIntervalMs: 20,
      backoff: { baseMs: 30, capMs: 100 },
    },
  },
});
process.on("SIGTERM", () => {
  void server
    .close()
    .then(() => spool.close())
    .then(() => process.exit(0));
});
process.stdout.write(`listening ${server.url}\n`);
