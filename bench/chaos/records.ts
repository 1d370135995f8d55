/**
 * Append-only, fsync'd record files of the chaos run: every line is on disk before the process
 * goes on, so a SIGKILL a moment later cannot take back what a record says happened. Handlers
 * write `start`/`end` lines (the format of test/helpers/execution-log.ts), producers `ack <id>`,
 * the remote worker `acked <id> <attempt> <pid>` once the server accepted a completion.
 */
import { fsyncSync, openSync, writeSync } from "node:fs";

/** An append-only record file. */
export class RecordFile {
  private readonly fd: number;

  constructor(path: string) {
    this.fd = openSync(path, "a");
  }

  /** Appends `lines` and waits for them to reach the disk. */
  append(...lines: string[]): void {
    writeSync(this.fd, lines.map((line) => `${line}\n`).join(""));
    fsyncSync(this.fd);
  }
}
