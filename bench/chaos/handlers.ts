/**
 * Handler module of the chaos run's `spool worker` processes (`--handlers`): `chaos.job` records
 * its start and end (fsync'd) in `$CHAOS_DIR/handler-<pid>.log`, sleeps `payload.ms` and
 * returns `{pid, attempt}`, so the stored result names the one execution that produced it.
 */
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { RecordFile } from "./records.js";

const log = new RecordFile(join(process.env.CHAOS_DIR ?? ".", `handler-${process.pid}.log`));

export default {
  "chaos.job": async (job: { id: string; attempt: number; payload: Record<string, unknown> }) => {
    log.append(`start ${job.id} ${job.attempt} ${process.pid} ${Date.now()}`);
    await sleep(Number(job.payload.ms ?? 20));
    log.append(`end ${job.id} ${job.attempt} ${process.pid} ${Date.now()}`);
    return { pid: process.pid, attempt: job.attempt };
  },
};
