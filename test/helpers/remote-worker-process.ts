/**
 * A remote HTTP worker in its own process, for event tests: with `src/client`, claims one job of
 * `type` from `queue` at `baseUrl` (long-polling), completes it with `{ echo: payload }` — or
 * fails it with `error` when given — prints `done <job id>` and exits.
 */
import { SpoolClient } from "../../src/client/client.js";

/** What the parent tells the child (JSON in `SPOOL_TEST_REMOTE_WORKER`). */
export interface RemoteWorkerProcessConfig {
  baseUrl: string;
  queue: string;
  type: string;
  worker: string;
  /** Fail the job with this error instead of completing it. */
  error?: { message: string; type: string };
}

const config = JSON.parse(
  process.env.SPOOL_TEST_REMOTE_WORKER ?? "{}",
) as RemoteWorkerProcessConfig;
const client = new SpoolClient({ baseUrl: config.baseUrl });
for (;;) {
  const [job] = await client.claim(config.queue, {
    worker: config.worker,
    max_jobs: 1,
    wait_seconds: 5,
    types: [config.type],
  });
  if (job === undefined) continue;
  if (config.error === undefined) {
    await client.complete(job.id, { lease_token: job.lease_token, result: { echo: job.payload } });
  } else {
    await client.fail(job.id, { lease_token: job.lease_token, error: config.error });
  }
  process.stdout.write(`done ${job.id}\n`);
  process.exit(0);
}
