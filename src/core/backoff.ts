/** Retry backoff: exponential with full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"). */

/** How long to wait between attempts. */
export interface BackoffPolicy {
  /** Base delay in ms; the window after attempt n is [0, baseMs·2^(n−1)). Default 1,000. */
  baseMs: number;
  /** Upper bound of the window in ms. Default 3,600,000 (1 h). */
  capMs: number;
}

/** SPEC §1: base 1 s, cap 1 h. */
export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = { baseMs: 1_000, capMs: 3_600_000 };

/**
 * The delay before the next attempt after attempt `attempt` (1-based) failed: a uniformly random
 * value in [0, min(capMs, baseMs·2^(attempt−1))). `random` returns a number in [0, 1).
 */
export function backoffDelayMs(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number,
): number {
  const exponent = Math.max(0, attempt - 1);
  const window = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(exponent, 52));
  return Math.floor(random() * window);
}
