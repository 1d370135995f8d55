/**
 * `npm start` until the HTTP server lands: opens the default SQLite store, runs a worker with
 * two demo job types, submits a few jobs and prints their progress and results as they happen.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Spool, type JobHandler } from "./index.js";

/** `demo.sleep {seconds}`: sleeps, reporting progress ten times; stops early when cancelled. */
const demoSleep: JobHandler = async (job, ctx) => {
  const seconds = typeof job.payload.seconds === "number" ? job.payload.seconds : 1;
  for (let step = 1; step <= 10; step++) {
    await sleep((seconds * 1000) / 10, undefined, { signal: ctx.signal });
    await ctx.progress(step * 10, `slept ${((seconds * step) / 10).toFixed(1)} of ${seconds} s`);
  }
  return { slept_seconds: seconds };
};

/** `demo.flaky {failures}`: fails its first N attempts, then succeeds. */
const demoFlaky: JobHandler = async (job, ctx) => {
  const failures = typeof job.payload.failures === "number" ? job.payload.failures : 1;
  if (ctx.attempt <= failures) throw new Error(`planned failure ${ctx.attempt} of ${failures}`);
  return { succeeded_on_attempt: ctx.attempt };
};

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
  handlers: { "demo.sleep": demoSleep, "demo.flaky": demoFlaky },
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
