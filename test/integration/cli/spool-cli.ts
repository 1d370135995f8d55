/**
 * Runs the real `spool` binary (bin/spool.js) as a subprocess for the CLI tests: one-shot runs
 * that resolve with exit code and output, and long-running ones (workers) whose output lines
 * can be awaited. The environment is cleaned of store variables so each test names its store.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

/** The launcher under test. */
export const SPOOL_BIN = fileURLToPath(new URL("../../../bin/spool.js", import.meta.url));
/** The repository root (commands run there, as a user on a fresh clone would). */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The outcome of a finished run. */
export interface SpoolRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options of a run. */
export interface SpoolRunOptions {
  env?: Record<string, string>;
  /** Written to stdin, which is then closed. */
  input?: string;
}

/** Variables a test must set itself if it wants them (store URLs, colour, the test runner's). */
const CLEARED = new Set([
  "SPOOL_URL",
  "DATABASE_URL",
  "NODE_TEST_CONTEXT",
  "FORCE_COLOR",
  "NO_COLOR",
]);

function environment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([name]) => !CLEARED.has(name));
  // Servers started by CLI tests check every answer against their /openapi.json too.
  return { ...Object.fromEntries(inherited), SPOOL_VALIDATE_RESPONSES: "1", ...extra };
}

/** A running `spool` process with its output collected. */
export interface SpoolProcess {
  child: ChildProcess;
  /** Complete stdout lines so far. */
  lines: string[];
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves with the first stdout line matching `pattern` (rejects if the process exits first). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves when the process has exited. */
  exited: Promise<SpoolRun>;
}

/** Starts `spool …args` in the repository root. */
export function startSpool(args: readonly string[], options: SpoolRunOptions = {}): SpoolProcess {
  const child = spawn(process.execPath, [SPOOL_BIN, ...args], {
    cwd: REPO_ROOT,
    env: environment(options.env),
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let partial = "";
  let done = false;
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  child.stdout!.setEncoding("utf8");
  child.stderr!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    stdout += chunk;
    const parts = (partial + chunk).split("\n");
    partial = parts.pop()!;
    lines.push(...parts);
    for (const wake of [...waiters]) wake();
  });
  child.stderr!.on("data", (chunk: string) => (stderr += chunk));
  if (options.input !== undefined) child.stdin!.end(options.input);
  else child.stdin!.end();
  const exited = once(child, "close").then(([code, signal]) => {
    done = true;
    for (const wake of [...waiters]) wake();
    return {
      code: code as number | null,
      signal: signal as NodeJS.Signals | null,
      stdout,
      stderr,
    };
  });
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    waitForLine(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${stdout}\n${stderr}`),
          );
        }, timeoutMs);
        const check = (): void => {
          const line = lines.find((l) => pattern.test(l));
          if (line !== undefined || done) {
            waiters.delete(check);
            clearTimeout(timer);
            if (line !== undefined) resolve(line);
            else reject(new Error(`exited before printing ${pattern}:\n${stdout}\n${stderr}`));
          }
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** Runs `spool …args` to completion. */
export function runSpool(
  args: readonly string[],
  options: SpoolRunOptions = {},
): Promise<SpoolRun> {
  return startSpool(args, options).exited;
}
