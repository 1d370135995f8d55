/**
 * How `spool enqueue --wait` shows a job it follows, on stderr: on a terminal, one line redrawn
 * in place (status, a bar, percent, the progress message, elapsed time); elsewhere (pipes, CI
 * logs) a plain line each time the status, attempt, percent or message changes.
 */
import type { JobRecord } from "../core/job.js";
import { formatDuration } from "./format.js";
import type { Style, TextStream } from "./output.js";

/** Shows successive snapshots of one job. */
export interface ProgressView {
  /** Shows the job's current state (called on every poll). */
  update(job: JobRecord): void;
  /** Ends the display (the terminal line is kept). */
  finish(): void;
}

/** A bar of `width` cells, `percent` of them filled. */
export function renderBar(percent: number, width: number): string {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  return "█".repeat(filled) + "░".repeat(width - filled);
}

/** One status line for `job`, without colour codes longer than `columns` characters. */
export function describeProgress(job: JobRecord, elapsedMs: number): string {
  const elapsed = formatDuration(elapsedMs);
  switch (job.status) {
    case "queued":
    case "scheduled":
      return `${job.status} · waiting for a worker · ${elapsed}`;
    case "retrying":
      return `retrying · attempt ${job.attempt} failed: ${job.error?.message ?? "?"} · ${elapsed}`;
    case "running":
      return (
        `running ${String(job.progress).padStart(3)}%` +
        (job.progressMessage ? ` · ${job.progressMessage}` : "") +
        (job.attempt > 1 ? ` · attempt ${job.attempt}` : "") +
        ` · ${elapsed}`
      );
    default:
      return `${job.status} ${job.progress}% · ${elapsed}`;
  }
}

/** A view for `stream`: the redrawn bar on a terminal, plain lines otherwise. */
export function createProgressView(
  stream: TextStream,
  style: Style,
  now: () => number,
): ProgressView {
  const started = now();
  if (stream.isTTY !== true) {
    let last = "";
    return {
      update(job) {
        const key = `${job.status}|${job.attempt}|${job.progress}|${job.progressMessage ?? ""}`;
        if (key === last) return;
        last = key;
        stream.write(`${describeProgress(job, now() - started)}\n`);
      },
      finish() {},
    };
  }
  let drawn = false;
  return {
    update(job) {
      const columns = Math.max(40, stream.columns || 80); // 0 when the size is unknown
      const bar = job.status === "running" ? `${style.cyan(renderBar(job.progress, 24))} ` : "";
      const room = columns - 1 - (bar === "" ? 0 : 25);
      let text = describeProgress(job, now() - started);
      if (text.length > room) text = `${text.slice(0, room - 1)}…`;
      stream.write(`\r\u001b[2K${bar}${text}`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write("\n");
    },
  };
}
