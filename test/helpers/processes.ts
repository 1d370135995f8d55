/** Spawning TypeScript helper processes and waiting on them. */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

/** Path of a file in test/helpers. */
export function helperPath(name: string): string {
  return fileURLToPath(new URL(name, import.meta.url));
}

/** Starts `node --import tsx <file>` with extra env; stdout lines are collected in `lines`. */
export function spawnTs(
  file: string,
  env: Record<string, string>,
): ChildProcess & { lines: string[] } {
  const child = spawn(process.execPath, ["--import", "tsx", file], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  }) as ChildProcess & { lines: string[] };
  child.lines = [];
  let buffer = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    child.lines.push(...parts);
  });
  return child;
}

/** Resolves once the child printed `line` (rejects if it exits first). */
export async function waitForLine(
  child: ChildProcess & { lines: string[] },
  line: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!child.lines.includes(line)) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`child exited before printing "${line}"`);
    if (Date.now() > deadline)
      throw new Error(`child did not print "${line}" within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Sends `signal` and waits for the exit; returns the exit code (null when killed by a signal). */
export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = "SIGTERM",
): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = once(child, "exit");
  child.kill(signal);
  const [code] = (await exited) as [number | null];
  return code;
}
