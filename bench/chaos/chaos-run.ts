/**
 * One chaos run on one store: `spool serve`, three `spool worker` processes and a remote HTTP
 * worker, producers submitting over HTTP that record every acknowledgement, and seeded random
 * SIGKILLs of the server and the workers (each restarted at once), plus, half-way, a restart of
 * the PostgreSQL server (a private cluster, never the machine's) or, on SQLite, one kill -9 of
 * every process at once. At the end the records of the producers and the handlers are checked
 * against the store (verify.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Spool } from "../../src/index.js";
import { freePort, PrivatePostgres } from "../../test/helpers/private-postgres.js";
import { RecordFile } from "./records.js";
import { verifyChaosRun, type ChaosVerdict, type KillRecord } from "./verify.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SPOOL_BIN = join(ROOT, "bin/spool.js");
const HANDLERS = join(ROOT, "bench/chaos/handlers.ts");
const REMOTE_WORKER = join(ROOT, "bench/chaos/remote-worker.ts");
/** Lease of every worker: how long a killed worker's jobs wait before they are rescued. */
const LEASE_SECONDS = 6;

/** What to run. */
export interface ChaosOptions {
  store: "sqlite" | "postgres";
  seed: number;
  /** Jobs the producers submit (and must see acknowledged). */
  jobs: number;
  /** SIGKILLs of single processes (server or a worker), at random moments. */
  kills: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** What happened, and the verdict. */
export interface ChaosReport extends ChaosVerdict {
  store: string;
  seed: number;
  durationMs: number;
  kills: KillRecord[];
  /** PostgreSQL restarts (postgres) or kill -9 of every process at once (sqlite). */
  storeFaults: number;
}

/** mulberry32: a small seeded PRNG, so a run can be repeated. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Children still running, killed if the run's own process exits first (Ctrl-C, a crash). */
const liveChildren = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of liveChildren) child.kill("SIGKILL");
});

/** One role (server, a worker) whose process is killed and restarted. */
class Role {
  child: ChildProcess | undefined;

  constructor(
    readonly name: string,
    private readonly command: string[],
    private readonly env: Record<string, string>,
    private readonly outPath: string,
  ) {}

  start(): void {
    const out = openSync(this.outPath, "a");
    this.child = spawn(process.execPath, this.command, {
      env: { ...process.env, ...this.env },
      stdio: ["ignore", out, out],
    });
    closeSync(out); // the child holds its own copy
    const child = this.child;
    liveChildren.add(child);
    child.once("exit", () => liveChildren.delete(child));
  }

  /** SIGKILLs the process and waits for its exit; returns its pid and the kill time. */
  async kill(): Promise<{ pid: number; atMs: number }> {
    const child = this.child!;
    const pid = child.pid!;
    const exited = child.exitCode === null && child.signalCode === null ? once(child, "exit") : [];
    const atMs = Date.now();
    child.kill("SIGKILL");
    await exited;
    return { pid, atMs };
  }

  /** SIGTERM and wait (end of run). */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

/** True when the handler log of `pid` (in `dir`) shows an execution that had not ended. */
function hadRunningJob(dir: string, pid: number): boolean {
  const open = new Set<string>();
  for (const file of [`handler-${pid}.log`, `remote-${pid}.log`]) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    for (const line of readFileSync(path, "utf8").split("\n")) {
      const [kind, id, attempt] = line.split(" ");
      if (kind === "start") open.add(`${id} ${attempt}`);
      else if (kind === "end") open.delete(`${id} ${attempt}`);
    }
  }
  return open.size > 0;
}

/** Polls `predicate` every 10 ms until true or `timeoutMs` passed. */
async function waitUntil(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate() && Date.now() < deadline) await sleep(10);
}

async function waitHealthy(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`the server at ${url} did not come up`);
    await sleep(50);
  }
}

/** Producers: submit `total` jobs in batches over HTTP; every acknowledged id is recorded. */
async function produce(options: {
  url: string;
  total: number;
  random: () => number;
  acks: RecordFile;
  producers: number;
}): Promise<number> {
  let next = 0;
  let acked = 0;
  const loop = async (): Promise<void> => {
    while (next < options.total) {
      const size = Math.min(100, options.total - next);
      next += size;
      const jobs = Array.from({ length: size }, () => ({
        type: "chaos.job",
        payload: { ms: 50 + Math.floor(options.random() * 250) },
        max_attempts: 100,
      }));
      for (;;) {
        try {
          const response = await fetch(`${options.url}/jobs/batch`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ jobs }),
          });
          if (response.status === 202) {
            const body = (await response.json()) as { jobs: { job_id: string }[] };
            options.acks.append(...body.jobs.map((job) => `ack ${job.job_id}`));
            acked += body.jobs.length;
            break;
          }
        } catch {
          // the server is down (killed by the run): send again; an unacknowledged batch may
          // have been committed, so the store can hold more jobs than were acknowledged
        }
        await sleep(100);
      }
    }
  };
  await Promise.all(Array.from({ length: options.producers }, loop));
  return acked;
}

/** The run's processes: the server, three workers, the remote worker. */
function createRoles(
  dir: string,
  port: number,
  env: Record<string, string>,
): { server: Role; workers: Role[]; remote: Role } {
  const server = new Role(
    "server",
    [SPOOL_BIN, "serve", "--no-auth", "--port", String(port), "--workers", "0"].concat([
      "--log-level",
      "warn",
    ]),
    env,
    join(dir, "server.out"),
  );
  const workers = [1, 2, 3].map(
    (i) =>
      new Role(
        `worker-${i}`,
        [SPOOL_BIN, "worker", "--handlers", HANDLERS, "--concurrency", "8"].concat([
          "--lease",
          String(LEASE_SECONDS),
          "--name",
          `chaos-${i}`,
        ]),
        env,
        join(dir, `worker-${i}.out`),
      ),
  );
  const remote = new Role(
    "remote-worker",
    ["--import", "tsx", REMOTE_WORKER],
    env,
    join(dir, "remote.out"),
  );
  return { server, workers, remote };
}

/** kill -9 of every process at once, then all restarted. */
async function killAll(roles: readonly Role[], dir: string): Promise<KillRecord[]> {
  const killed = await Promise.all(roles.map((role) => role.kill()));
  for (const role of roles) role.start();
  return killed.map((kill, i) => ({
    ...kill,
    role: roles[i]!.name,
    all: true,
    hitRunning: hadRunningJob(dir, kill.pid),
  }));
}

/** Waits until every job is completed (or `timeoutMs` passed: the verdict reports the rest). */
async function waitForCompletion(spool: Spool, acked: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stats = await spool.stats();
    if (stats.completed === stats.totalJobs && stats.totalJobs >= acked) return;
    if (Date.now() > deadline) return;
    await sleep(250);
  }
}

/** Runs one chaos run; see the module header. */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const t0 = Date.now();
  const log = (line: string): void =>
    options.log?.(`${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s  ${line}`);
  const random = seededRandom(options.seed);
  const dir = mkdtempSync(join(tmpdir(), `spool-chaos-${options.store}-`));
  const cluster = options.store === "postgres" ? await PrivatePostgres.start() : undefined;
  const storeUrl = cluster?.url ?? `sqlite:${join(dir, "spool.db")}`;
  const port = await freePort(); // the same port across restarts, so clients find the server
  const url = `http://127.0.0.1:${port}`;
  const { server, workers, remote } = createRoles(dir, port, {
    CHAOS_DIR: dir,
    CHAOS_URL: url,
    SPOOL_URL: storeUrl,
  });
  const roles = [server, ...workers, remote];
  const started = Date.now();
  const kills: KillRecord[] = [];
  let storeFaults = 0;
  try {
    server.start();
    await waitHealthy(url, 60_000);
    for (const role of [...workers, remote]) role.start();
    const acks = new RecordFile(join(dir, "producer-acks.log"));
    let producing = true;
    const producers = produce({ url, total: options.jobs, random, acks, producers: 4 }).finally(
      () => (producing = false),
    );
    // Kills at random moments, while jobs are being submitted and run.
    for (let k = 0; k < options.kills; k++) {
      await sleep(200 + Math.floor(random() * 600));
      if (k === Math.floor(options.kills / 2)) {
        storeFaults += 1;
        if (cluster !== undefined) {
          log("restarting PostgreSQL (the private cluster)");
          cluster.restart();
        } else {
          log("kill -9 of every process at once");
          kills.push(...(await killAll(roles, dir)));
        }
      }
      const role = roles[Math.floor(random() * roles.length)]!;
      // A worker is killed once it runs a job (at most 15 s later): kills of processes that are
      // still starting up or idle prove nothing.
      if (role !== server) await waitUntil(() => hadRunningJob(dir, role.child!.pid!), 15_000);
      const killed = await role.kill();
      const hitRunning = hadRunningJob(dir, killed.pid);
      kills.push({ ...killed, role: role.name, all: false, hitRunning });
      log(`SIGKILL ${role.name} (pid ${killed.pid})${hitRunning ? ": a job was running" : ""}`);
      role.start();
    }
    log(producing ? "kills done; producers still submitting" : "kills done");
    const acked = await producers;
    log(`${acked} jobs acknowledged; waiting for every job to complete`);
    const spool = await Spool.open({ url: storeUrl, maintenance: false, migrate: false });
    try {
      await waitForCompletion(spool, acked, 180_000);
      for (const role of roles) await role.stop();
      const verdict = await verifyChaosRun({ spool, dir, kills });
      return {
        store: options.store,
        seed: options.seed,
        durationMs: Date.now() - started,
        kills,
        storeFaults,
        ...verdict,
      };
    } finally {
      await spool.close();
    }
  } finally {
    await Promise.all(roles.map((role) => role.stop().catch(() => undefined)));
    await cluster?.destroy();
    if (process.env.CHAOS_KEEP === undefined) rmSync(dir, { recursive: true, force: true });
    else log(`records kept in ${dir}`);
  }
}
