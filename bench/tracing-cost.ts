/**
 * What tracing costs a job when no OpenTelemetry SDK is installed (issue 12): every call the
 * hot path makes into worker/tracing.ts for one job — the submit span (`traceSubmit`), the
 * claim span, the attempt span around the handler and the settle span — timed over many jobs,
 * with and without a producer's trace context to pass through, in CPU time of this process (so
 * other processes' load on a shared machine counts less than in wall time). No store: the store's part of a
 * job is what bench/scale.ts and the throughput scenarios measure; this is the part tracing adds.
 *
 *   npx tsx bench/tracing-cost.ts [jobs]      (default 200,000)
 */
import { context } from "@opentelemetry/api";
import type { ClaimedJob } from "../src/core/job.js";
import type { JobInput } from "../src/core/options.js";
import {
  endAttemptSpan,
  recordClaimSpans,
  startAttemptSpan,
  startSettleSpan,
  traceSubmit,
} from "../src/worker/tracing.js";
import { median } from "./stats.js";

const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

function input(i: number, traced: boolean): JobInput {
  return {
    id: `0190c0de-0000-7000-8000-${String(i).padStart(12, "0")}`,
    tenant: "default",
    queue: "default",
    type: "bench.noop",
    payload: {},
    payloadJson: "{}",
    priority: 0,
    runAt: null,
    maxAttempts: null,
    timeoutMs: null,
    backoff: {},
    uniqueKey: null,
    tags: [],
    webhookUrl: null,
    concurrencyKey: null,
    traceContext: traced ? { traceparent: TRACEPARENT, tracestate: null } : null,
  };
}

/** CPU ns (user + system) of this process since `started`. */
function cpuNs(started: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(started);
  return (used.user + used.system) * 1000;
}

/** ns per job of the harness alone: the same loop without the tracing calls. */
async function harness(jobs: number): Promise<number> {
  const inputs = Array.from({ length: jobs }, (_, i) => input(i, false));
  const insert = async (job: JobInput) => [{ job: { id: job.id }, duplicate: false }];
  const started = process.cpuUsage();
  for (const job of inputs) {
    await insert(job);
    const claimed = { ...job, attempt: 1 } as unknown as ClaimedJob;
    if (claimed.attempt === 0) throw new Error("unreachable");
  }
  return cpuNs(started) / jobs;
}

/** ns per job of the whole traced life of `jobs` jobs. */
async function run(jobs: number, traced: boolean): Promise<number> {
  const inputs = Array.from({ length: jobs }, (_, i) => input(i, traced));
  const started = process.cpuUsage();
  for (const job of inputs) {
    await traceSubmit([job], async () => [{ job: { id: job.id }, duplicate: false }]);
    const claimed = { ...job, attempt: 1 } as unknown as ClaimedJob;
    recordClaimSpans([claimed], performance.now(), "w1");
    // As the executor does: off, no span and no context at all.
    const attempt = startAttemptSpan(claimed, "w1");
    if (attempt.span !== undefined) {
      context.with(attempt.context, () => null);
      endAttemptSpan(attempt.span, { ok: true }, undefined, undefined);
      startSettleSpan(claimed, "complete", attempt.context)?.end();
    }
  }
  return cpuNs(started) / jobs;
}

async function main(): Promise<void> {
  const jobs = Number(process.argv[2] ?? 200_000);
  await run(10_000, false); // warm-up (JIT)
  await harness(10_000);
  const base: number[] = [];
  for (let r = 0; r < 5; r++) base.push(await harness(jobs));
  console.log(`harness alone (subtract): ${(median(base) / 1000).toFixed(2)} µs CPU per job`);
  for (const traced of [false, true]) {
    const runs: number[] = [];
    for (let r = 0; r < 5; r++) runs.push(await run(jobs, traced));
    console.log(
      `${traced ? "with a producer's traceparent" : "untraced jobs"}: ` +
        `${(median(runs) / 1000).toFixed(2)} µs CPU per job (median of 5 runs of ${jobs.toLocaleString("en")}; ` +
        `runs ${runs.map((ns) => (ns / 1000).toFixed(2)).join(", ")})`,
    );
  }
}

void main();
