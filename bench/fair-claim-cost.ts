/**
 * Claim cost under fair scheduling (SPEC §7, issue 13): what one claim of 10 jobs costs on a
 * queue of 100,000 waiting jobs held by one tenant (the common case: fairness must cost it
 * nothing), by 1,000 tenants × 100 jobs, and by 10 tenants × 10,000 jobs. Times
 * `store.claimJobs` itself, as a worker's fetcher calls it (with its handler types).
 *
 *   node --import tsx bench/fair-claim-cost.ts sqlite|postgres [claims]
 *
 * `SPOOL_SRC=/path/to/src/index.ts` measures another checkout (e.g. main, before this change).
 * Results: docs/benchmarks.md "Fair scheduling: claim cost".
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { Spool as SpoolClass } from "../src/index.js";

const store = process.argv[2] === "postgres" ? "postgres" : "sqlite";
const CLAIMS = Number(process.argv[3] ?? 300);
const LIMIT = 10;
const PG_URL = process.env.SPOOL_BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const { Spool } = (await import(process.env.SPOOL_SRC ?? "../src/index.js")) as {
  Spool: typeof SpoolClass;
};

async function open(): Promise<{ spool: SpoolClass; drop: () => Promise<void> }> {
  if (store === "sqlite") {
    const dir = await mkdtemp(join(tmpdir(), "spool-bench-fair-"));
    const spool = await Spool.open({ url: `sqlite:${join(dir, "spool.db")}`, maintenance: false });
    return { spool, drop: () => rm(dir, { recursive: true, force: true }) };
  }
  const schema = `bench_fair_${Math.random().toString(36).slice(2, 10)}`;
  const spool = await Spool.open({ url: PG_URL, maintenance: false, storeTuning: { schema } });
  const drop = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  };
  return { spool, drop };
}

/** Fills the queue with `tenants` × `perTenant` jobs, interleaved by tenant in submission. */
async function fill(spool: SpoolClass, tenants: number, perTenant: number): Promise<void> {
  const total = tenants * perTenant;
  for (let done = 0; done < total; done += 1_000) {
    const n = Math.min(1_000, total - done);
    await spool.enqueueMany(
      Array.from({ length: n }, (_, i) => ({
        type: "bench.job",
        payload: { i: done + i },
        tenant: `t${String(Math.floor((done + i) / perTenant)).padStart(4, "0")}`,
      })),
    );
  }
}

async function measure(tenants: number, perTenant: number): Promise<string> {
  const { spool, drop } = await open();
  try {
    await fill(spool, tenants, perTenant);
    const times: number[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < CLAIMS + 20; i += 1) {
      const started = performance.now();
      const jobs = await spool.store.claimJobs({
        queues: ["default"],
        workerId: "bench",
        limit: LIMIT,
        leaseMs: 300_000,
        now: Date.now(),
        types: ["bench.job"],
      });
      const ms = performance.now() - started;
      if (jobs.length !== LIMIT) throw new Error(`claimed ${jobs.length}`);
      if (i >= 20) times.push(ms);
      for (const job of jobs) seen.add(job.tenant);
    }
    times.sort((a, b) => a - b);
    const at = (q: number): string => times[Math.floor(q * (times.length - 1))]!.toFixed(3);
    await spool.close();
    return `${store} ${tenants} × ${perTenant}: claim of ${LIMIT} p50 ${at(0.5)} ms, p95 ${at(0.95)} ms; tenants served ${seen.size}`;
  } finally {
    await drop();
  }
}

for (const [tenants, perTenant] of [
  [1, 100_000],
  [1_000, 100],
  [10, 10_000],
] as const) {
  console.log(await measure(tenants, perTenant));
}
