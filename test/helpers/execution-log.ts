/** Reads the execution logs written by worker-process.ts. */
import { existsSync, readFileSync } from "node:fs";

/** One handler execution: start and (if it finished) end. */
export interface Execution {
  jobId: string;
  attempt: number;
  pid: number;
  startMs: number;
  endMs: number | null;
}

/** Parses every log file into executions, keyed by job id. */
export function readExecutions(paths: readonly string[]): Map<string, Execution[]> {
  const byJob = new Map<string, Execution[]>();
  for (const path of paths) {
    if (!existsSync(path)) continue;
    for (const line of readFileSync(path, "utf8").split("\n")) {
      if (line === "") continue;
      const [kind, jobId, attempt, pid, ms] = line.split(" ");
      const list = byJob.get(jobId!) ?? [];
      byJob.set(jobId!, list);
      if (kind === "start") {
        list.push({
          jobId: jobId!,
          attempt: Number(attempt),
          pid: Number(pid),
          startMs: Number(ms),
          endMs: null,
        });
      } else {
        const execution = list.find(
          (e) => e.attempt === Number(attempt) && e.pid === Number(pid) && e.endMs === null,
        );
        if (execution === undefined) throw new Error(`end without start: ${line}`);
        execution.endMs = Number(ms);
      }
    }
  }
  return byJob;
}
