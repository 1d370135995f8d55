/**
 * `npm start` until the HTTP server lands: opens the default SQLite store, runs a worker with
 * the demo job types (src/demo/handlers.ts), submits a few jobs and prints their progress and
 * results as they happen.
 */
import { demoHandlers } from "./demo/handlers.js";
import { Spool } from "./index.js";

const spool = await Spool.open({ url: process.env.SPOOL_URL ?? "sqlite:./data/spool.db" });
const time = (): string => new Date().toISOString().slice(11, 23);
spool.on("job.queued", (e) => console.log(`${time()} queued     ${e.type} ${e.jobId}`));
spool.on("job.started", (e) =>
  console.log(`${time()} started    ${e.type} ${e.jobId} (attempt ${e.attempt})`),
);
spool.on("job.progress", (e) =>
  console.log(
    `${time()} progress   ${e.type} ${String(e.progress).padStart(3)}% ${e.progressMessage ?? ""}`,
  ),
);
spool.on("job.retrying", (e) =>
  console.log(`${time()} retrying   ${e.type} after "${e.error.message}"`),
);
spool.on("job.completed", (e) =>
  console.log(`${time()} completed  ${e.type} → ${JSON.stringify(e.result)}`),
);
spool.on("job.failed", (e) => console.log(`${time()} failed     ${e.type}: ${e.error.message}`));

const worker = spool.worker({
  concurrency: 4,
  handleSignals: true,
  handlers: demoHandlers,
});
await worker.start();
const jobs = await spool.enqueueMany([
  { type: "demo.sleep", payload: { seconds: 2 } },
  { type: "demo.flaky", payload: { failures: 2 }, backoff: { baseMs: 200 } },
  { type: "demo.sleep", payload: { seconds: 1 }, priority: 10 },
]);
const finished = new Set<string>();
await new Promise<void>((resolve) => {
  const done = (e: { jobId: string }): void => {
    finished.add(e.jobId);
    if (jobs.every((job) => finished.has(job.id))) resolve();
  };
  spool.on("job.completed", done);
  spool.on("job.failed", done);
  worker.on("worker.stopped", () => resolve());
});
console.log("\nstats:", await spool.stats());
await spool.close();
