/** Per-test temporary folders, removed when the process exits. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made: string[] = [];
process.on("exit", () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A new empty folder under the system temp folder. */
export function tempDir(prefix = "spool-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A fresh SQLite store URL in its own folder. */
export function tempSqliteUrl(): string {
  return `sqlite:${join(tempDir(), "spool.db")}`;
}
