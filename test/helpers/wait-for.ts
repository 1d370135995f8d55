/** Waits for a condition instead of sleeping a fixed time. */

/** Polls `predicate` until it returns a truthy value (returned) or `timeoutMs` passes (throws). */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  options: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 5;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms: ${options.message ?? "condition not met"}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Resolves with the first event that `subscribe` delivers and `match` accepts. */
export function nextEvent<E>(
  subscribe: (listener: (event: E) => void) => () => void,
  match: (event: E) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<E> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = subscribe((event) => {
      if (!match(event)) return;
      clearTimeout(timer);
      off();
      resolve(event);
    });
  });
}

/**
 * Polls `read` until it reaches `target`; fails only when it stops moving for `stallMs` (a
 * stall), not after a fixed total time. For long runs on shared CI machines, where a fixed
 * deadline measures the machine's load instead of the code (the test runner's own timeout
 * still bounds the whole test).
 */
export async function waitForProgress(
  read: () => Promise<number>,
  target: number,
  options: { stallMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const stallMs = options.stallMs ?? 60_000;
  const intervalMs = options.intervalMs ?? 50;
  let last = -Infinity;
  let movedAt = Date.now();
  for (;;) {
    const value = await read();
    if (value >= target) return;
    if (value !== last) {
      last = value;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > stallMs) {
      throw new Error(`stalled at ${value} of ${target}: no progress for ${stallMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
