/**
 * The claim-cost scenario (SPEC §6, issue 8): what one type-aware claim costs on a queue with
 * 100,000 waiting jobs of a type nobody serves ahead of the served ones, against the same claim
 * on a queue holding only served jobs. Spool only: it times `store.claimJobs` itself, the
 * call every worker's fetcher and every remote claim makes. Flat means a ratio near 1.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Spool } from "../src/index.js";
import type { BenchConfig } from "./config.js";
import type { ClaimCostMeasurement, Scenario, ScenarioContext } from "./scenarios.js";
import { median, summarizeLatency } from "./stats.js";
import { dropSchema } from "./systems/postgres.js";
import { DEFAULT_POSTGRES_URL, uniqueName, type BenchSystem } from "./systems/system.js";

/** The types the measuring claimer serves (two, so the per-type probes are merged). */
const SERVED = ["bench.served", "bench.served2"] as const;
const UNSERVED = "bench.unserved";
/** Jobs per claim call, as a worker with free slots would ask for. */
const CLAIM_LIMIT = 10;
/** Claims made before timing starts (statement caches, plans). */
const WARMUP_CLAIMS = 20;
const SUBMIT_CHUNK = 1_000;

/** Opens a fresh Spool of the system's store; returns it with the function that deletes it. */
async function openSpool(
  system: BenchSystem,
): Promise<{ spool: Spool; drop: () => Promise<void> }> {
  if (system.id === "spool-sqlite") {
    const dir = await mkdtemp(join(tmpdir(), "spool-bench-claim-"));
    const spool = await Spool.open({ url: `sqlite:${join(dir, "spool.db")}`, maintenance: false });
    return {
      spool,
      drop: async () => {
        await spool.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = uniqueName("bench_claim");
  const spool = await Spool.open({
    url: DEFAULT_POSTGRES_URL,
    maintenance: false,
    storeTuning: { schema },
  });
  return {
    spool,
    drop: async () => {
      await spool.close();
      await dropSchema(DEFAULT_POSTGRES_URL, schema);
    },
  };
}

/** Submits `count` jobs of `type` in chunks; `priority` puts them ahead of later ones. */
async function submit(spool: Spool, type: string, count: number, priority: number): Promise<void> {
  for (let done = 0; done < count; done += SUBMIT_CHUNK) {
    const n = Math.min(SUBMIT_CHUNK, count - done);
    await spool.enqueueMany(
      Array.from({ length: n }, (_, i) => ({ type, payload: { i: done + i }, priority })),
    );
  }
}

/** Fills a store: `backlog` unserved jobs (higher priority, older) ahead of the served ones. */
async function fill(spool: Spool, backlog: number, claims: number): Promise<void> {
  await submit(spool, UNSERVED, backlog, 10);
  const served = Math.ceil((claims * CLAIM_LIMIT) / SERVED.length);
  for (const type of SERVED) await submit(spool, type, served, 0);
}

/** Times one claim of the served types, ms, checking what it took. */
async function timeClaim(spool: Spool): Promise<number> {
  const started = performance.now();
  const jobs = await spool.store.claimJobs({
    queues: ["default"],
    workerId: "bench-claimer",
    limit: CLAIM_LIMIT,
    leaseMs: 300_000,
    now: Date.now(),
    types: SERVED,
  });
  const elapsed = performance.now() - started;
  if (jobs.length !== CLAIM_LIMIT) throw new Error(`a claim took ${jobs.length} jobs`);
  if (jobs.some((job) => job.type === UNSERVED)) throw new Error("claimed an unserved job");
  return elapsed;
}

/**
 * Both settings open at once, their claims interleaved (alternating which goes first), so
 * other work on the machine weighs on both alike and the ratio stays meaningful when it is busy.
 */
async function measure(
  system: BenchSystem,
  config: BenchConfig,
  context: ScenarioContext,
): Promise<{ empty: number[]; behind: number[] }> {
  const claims = WARMUP_CLAIMS + config.claimSamples;
  const empty = await openSpool(system);
  try {
    const behind = await openSpool(system);
    try {
      await fill(empty.spool, 0, claims);
      await fill(behind.spool, config.claimBacklog, claims);
      await context.beforeRun();
      const timings = { empty: [] as number[], behind: [] as number[] };
      for (let i = 0; i < claims; i++) {
        const order = i % 2 === 0 ? (["empty", "behind"] as const) : (["behind", "empty"] as const);
        for (const setting of order) {
          const ms = await timeClaim(setting === "empty" ? empty.spool : behind.spool);
          if (i >= WARMUP_CLAIMS) timings[setting].push(ms);
        }
      }
      return timings;
    } finally {
      await behind.drop();
    }
  } finally {
    await empty.drop();
  }
}

/** Claim cost with a backlog of an unserved type vs an empty queue (Spool only). */
export const claimCostScenario: Scenario = {
  id: "claim-unserved",
  title: "Claim cost behind waiting jobs of an unserved type",
  method: (c) =>
    `A claimer serving two types (\`claimJobs({ types, limit: ${CLAIM_LIMIT} })\`, what a ` +
    `worker's fetcher and \`POST /queues/:name/claim {types}\` call) on the \`default\` queue, ` +
    `timed per call over ${c.claimSamples} calls after ${WARMUP_CLAIMS} warm-ups, each taking ` +
    `${CLAIM_LIMIT} jobs: once with only served jobs waiting ("empty"), once with ` +
    `${c.claimBacklog.toLocaleString("en")} waiting jobs of a type nobody serves ahead of them ` +
    `(higher priority, submitted earlier). Both stores are open at once and their claims ` +
    `alternate, so other work on the machine weighs on both alike. The ratio is backlog p50 ÷ ` +
    `empty p50: 1 is flat.`,
  applies: (system) => system.id === "spool-sqlite" || system.id === "spool-postgres",
  repetitions: () => 1,
  run: async (system, config, context): Promise<ClaimCostMeasurement> => {
    const { empty, behind } = await measure(system, config, context);
    return {
      kind: "claim-cost",
      backlog: config.claimBacklog,
      empty: summarizeLatency(empty),
      behind: summarizeLatency(behind),
      ratio: median(behind) / median(empty),
    };
  },
  combine: (runs) => runs[0]!,
};
