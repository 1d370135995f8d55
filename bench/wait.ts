/**
 * Bounded waiting. Every wait in the benchmark goes through these helpers so that a broken or
 * stuck system turns into a "failed: <reason>" row instead of a hung run.
 */
import { setTimeout as delay } from "node:timers/promises";

/** A wait that ran out of time. */
export class BenchTimeoutError extends Error {
  constructor(what: string, timeoutMs: number) {
    super(`timed out after ${formatMs(timeoutMs)} waiting for ${what}`);
    this.name = "BenchTimeoutError";
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return delay(ms);
}

/** Settles like `promise`, or rejects with `BenchTimeoutError` after `timeoutMs`. */
export async function withTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BenchTimeoutError(what, timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Calls `check` every `intervalMs` until it returns true, or rejects after `timeoutMs`. */
export async function pollUntil(
  check: () => Promise<boolean> | boolean,
  options: { timeoutMs: number; intervalMs: number; what: string },
): Promise<void> {
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    if (await check()) return;
    if (performance.now() >= deadline) throw new BenchTimeoutError(options.what, options.timeoutMs);
    await sleep(options.intervalMs);
  }
}

/** `1.2 s` / `350 ms`. */
export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/** The message of anything thrown, on one line. */
export function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, " ").trim() || "unknown error";
}
