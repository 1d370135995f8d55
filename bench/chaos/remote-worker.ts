/**
 * The chaos run's remote worker: claims `chaos.job` jobs over HTTP (`$CHAOS_URL`), records each
 * execution like the handler module does (`$CHAOS_DIR/remote-<pid>.log`), reports the result
 * and records `acked <id> <attempt> <pid>` (`remote-acks-<pid>.log`) once the server answered
 * 200. While the server is down (killed by the run) it retries; a 409 means the lease was lost
 * and the result is dropped, as a real worker must.
 */
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { RecordFile } from "./records.js";

const base = process.env.CHAOS_URL!;
const dir = process.env.CHAOS_DIR ?? ".";
const executions = new RecordFile(join(dir, `remote-${process.pid}.log`));
const acks = new RecordFile(join(dir, `remote-acks-${process.pid}.log`));
const SLOTS = 4;
const LEASE_SECONDS = 6;

interface ClaimedJob {
  id: string;
  attempt: number;
  lease_token: string;
  payload: Record<string, unknown>;
}

async function post(path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(base + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json().catch(() => null) };
}

async function run(job: ClaimedJob): Promise<void> {
  executions.append(`start ${job.id} ${job.attempt} ${process.pid} ${Date.now()}`);
  await sleep(Number(job.payload.ms ?? 20));
  executions.append(`end ${job.id} ${job.attempt} ${process.pid} ${Date.now()}`);
  const deadline = Date.now() + LEASE_SECONDS * 1000;
  while (Date.now() < deadline) {
    try {
      const res = await post(`/jobs/${job.id}/complete`, {
        lease_token: job.lease_token,
        result: { pid: process.pid, attempt: job.attempt },
      });
      if (res.status === 200) {
        acks.append(`acked ${job.id} ${job.attempt} ${process.pid}`);
        return;
      }
      if (res.status === 409) return; // lease lost: another attempt owns the job
    } catch {
      // the server is down (killed by the run): try again
    }
    await sleep(100);
  }
}

async function slot(name: string): Promise<never> {
  for (;;) {
    try {
      const res = await post("/queues/default/claim", {
        worker: name,
        max_jobs: 1,
        wait_seconds: 1,
        lease_seconds: LEASE_SECONDS,
      });
      const jobs = res.status === 200 ? (res.body as { jobs: ClaimedJob[] }).jobs : [];
      for (const job of jobs) await run(job);
      if (res.status !== 200) await sleep(100);
    } catch {
      await sleep(100);
    }
  }
}

process.stdout.write("ready\n");
await Promise.all(Array.from({ length: SLOTS }, (_, i) => slot(`remote-${process.pid}-${i}`)));
