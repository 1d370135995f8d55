/**
 * Batches the lines handlers log (`ctx.log`, SPEC §8) into one `appendJobLogs` call for all of
 * a worker's jobs every `flushIntervalMs`, instead of a store write per line on the handler's
 * path: a handler that logs in a loop costs a push onto an array. The executor flushes a job's
 * lines before recording its outcome, while the lease still fences them, so a job's last lines
 * are never lost to a race with its completion.
 *
 * Logs are best-effort: a line refused for a stale lease (the attempt is over) or lost to a
 * store error is dropped with a warning, and never fails the job. A job that logs faster than
 * the cap between two flushes keeps only its newest lines in memory and tells the store how
 * many it skipped, so the reader's `dropped_lines` stays exact.
 */
import type { Clock } from "../core/clock.js";
import type { JobLogLevel, JobLogLineInput } from "../core/job-logs.js";
import { MAX_LOG_LINES_PER_JOB } from "../core/limits.js";
import type { Logger } from "../core/logger.js";
import type { JobLogAppend, Store } from "../store/store.js";

/** Options of the log writer. */
export interface LogWriterOptions {
  clock: Clock;
  /** Longest a logged line waits before it is written, ms. Default 250. */
  flushIntervalMs?: number;
  /** Lines a job keeps (the newest). Default `MAX_LOG_LINES_PER_JOB` (1,000). */
  keepLines?: number;
  logger: Logger;
  store: Store;
}

interface PendingLog {
  id: string;
  leaseToken: string;
  lines: JobLogLineInput[];
  skipped: number;
}

/** See the module header. */
export class LogWriter {
  private readonly flushIntervalMs: number;
  private readonly keepLines: number;
  /** Lines not yet written, by job id and lease token (one entry per attempt). */
  private readonly pending = new Map<string, PendingLog>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly options: LogWriterOptions) {
    this.flushIntervalMs = options.flushIntervalMs ?? 250;
    this.keepLines = options.keepLines ?? MAX_LOG_LINES_PER_JOB;
  }

  /** Queues a line of the attempt holding `lease`; written within `flushIntervalMs`. */
  add(
    lease: { id: string; leaseToken: string },
    line: { message: string; level: JobLogLevel },
  ): void {
    const key = `${lease.id}/${lease.leaseToken}`;
    let entry = this.pending.get(key);
    if (entry === undefined) {
      entry = { id: lease.id, leaseToken: lease.leaseToken, lines: [], skipped: 0 };
      this.pending.set(key, entry);
    }
    entry.lines.push({ ...line, at: this.options.clock.now() });
    // Trim in chunks (not one shift per line) once the buffer holds twice the cap.
    if (entry.lines.length >= 2 * this.keepLines) {
      const over = entry.lines.length - this.keepLines;
      entry.lines.splice(0, over);
      entry.skipped += over;
    }
    this.timer ??= setTimeout(() => void this.flush(), this.flushIntervalMs);
  }

  /** Writes the job's pending lines now (with every other job's); resolves once written. */
  flushJob(id: string): Promise<void> {
    for (const entry of this.pending.values()) if (entry.id === id) return this.flush();
    return this.inFlight;
  }

  /** Writes every pending line; resolves once written (or dropped). Never rejects. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return this.inFlight;
    const entries: JobLogAppend[] = [...this.pending.values()];
    this.pending.clear();
    // One write at a time keeps a job's lines in the order they were logged.
    const run = this.inFlight.then(() => this.write(entries));
    this.inFlight = run;
    return run;
  }

  private async write(entries: JobLogAppend[]): Promise<void> {
    try {
      const outcomes = await this.options.store.appendJobLogs({
        entries,
        keepLines: this.keepLines,
        now: this.options.clock.now(),
      });
      const refused = outcomes.filter((outcome) => !outcome.ok).length;
      if (refused > 0)
        this.options.logger.debug({ jobs: refused }, "log lines of ended attempts dropped");
    } catch (error) {
      this.options.logger.warn(
        { err: error, jobs: entries.length },
        "writing job log lines failed; they are dropped",
      );
    }
  }
}
