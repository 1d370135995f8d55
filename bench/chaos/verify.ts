/**
 * The verdict of a chaos run, from the run's own records (producers' acknowledgements, handlers'
 * start/end lines, the remote worker's accepted completions, the kill times) checked against the
 * store: acknowledged jobs lost, results lost, overlapping runs of one job, jobs not completed.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Spool } from "../../src/index.js";
import { readExecutions, type Execution } from "../../test/helpers/execution-log.js";

/** One SIGKILL of the run. */
export interface KillRecord {
  role: string;
  pid: number;
  atMs: number;
  /** Part of the kill -9 of every process at once. */
  all: boolean;
  /** The process was running a job (a start without an end in its records). */
  hitRunning: boolean;
}

/** What the records say. */
export interface ChaosVerdict {
  acknowledged: number;
  jobsInStore: number;
  executions: number;
  /** Executions beyond one per job (re-runs after kills). */
  reruns: number;
  acknowledgedLost: number;
  resultsLost: number;
  overlappingRuns: number;
  notCompleted: number;
  killsHitRunning: number;
  /** The first few problems, for the report. */
  problems: string[];
}

function lines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, "utf8").split("\n").filter(Boolean) : [];
}

/** Checks the run's records in `dir` against the store. */
export async function verifyChaosRun(params: {
  spool: Spool;
  dir: string;
  kills: readonly KillRecord[];
}): Promise<ChaosVerdict> {
  const { spool, dir, kills } = params;
  const files = readdirSync(dir);
  const problems: string[] = [];
  const problem = (text: string): void => {
    if (problems.length < 20) problems.push(text);
  };
  const executions = readExecutions(
    files.filter((f) => /^(handler|remote)-\d+\.log$/.test(f)).map((f) => join(dir, f)),
  );
  const killedAt = new Map(kills.map((kill) => [kill.pid, kill.atMs]));

  const jobs = new Map<string, { status: string; attempt: number; result: unknown }>();
  let cursor: string | undefined;
  do {
    const page = await spool.list({ limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const job of page.jobs)
      jobs.set(job.id, { status: job.status, attempt: job.attempt, result: job.result });
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);

  const acked = lines(join(dir, "producer-acks.log")).map((line) => line.slice("ack ".length));
  let acknowledgedLost = 0;
  for (const id of acked) {
    if (!jobs.has(id)) {
      acknowledgedLost += 1;
      problem(`acknowledged job ${id} is not in the store`);
    }
  }

  let notCompleted = 0;
  let resultsLost = 0;
  let overlappingRuns = 0;
  let total = 0;
  for (const [id, job] of jobs) {
    const runs = executions.get(id) ?? [];
    total += runs.length;
    if (job.status !== "completed") {
      notCompleted += 1;
      problem(`job ${id} is ${job.status}`);
      continue;
    }
    const result = job.result as { pid?: number; attempt?: number } | null;
    const producer = runs.find(
      (run) => run.pid === result?.pid && run.attempt === result.attempt && run.endMs !== null,
    );
    if (producer === undefined || result?.attempt !== job.attempt) {
      resultsLost += 1;
      problem(`job ${id}: its result ${JSON.stringify(result)} is no finished execution's`);
    }
    overlappingRuns += countOverlaps(runs, killedAt, (text) => problem(`job ${id}: ${text}`));
  }
  // A completion the server accepted from the remote worker must be the stored result.
  for (const file of files.filter((f) => /^remote-acks-\d+\.log$/.test(f))) {
    for (const line of lines(join(dir, file))) {
      const [, id, attempt, pid] = line.split(" ");
      const job = jobs.get(id!);
      const result = job?.result as { pid?: number; attempt?: number } | null | undefined;
      if (job?.status !== "completed" || result?.pid !== Number(pid)) {
        resultsLost += 1;
        problem(`remote completion of ${id} (attempt ${attempt}) was acknowledged but lost`);
      }
    }
  }
  return {
    acknowledged: acked.length,
    jobsInStore: jobs.size,
    executions: total,
    reruns: total - jobs.size,
    acknowledgedLost,
    resultsLost,
    overlappingRuns,
    notCompleted,
    killsHitRunning: kills.filter((kill) => kill.hitRunning).length,
    problems,
  };
}

/**
 * Runs of one job that overlap in time. A run ends at its end record or, without one, when its
 * process was killed (a process that died otherwise never ends: any later run overlaps it).
 */
function countOverlaps(
  runs: readonly Execution[],
  killedAt: ReadonlyMap<number, number>,
  problem: (text: string) => void,
): number {
  const sorted = [...runs].sort((a, b) => a.startMs - b.startMs);
  let overlaps = 0;
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    const end = previous.endMs ?? killedAt.get(previous.pid) ?? Infinity;
    if (sorted[i]!.startMs < end) {
      overlaps += 1;
      problem(`attempt ${sorted[i]!.attempt} started while attempt ${previous.attempt} ran`);
    }
  }
  return overlaps;
}
