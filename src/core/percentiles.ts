/** Percentiles of samples (nearest-rank on sorted data). */

/** The `p`-th percentile (0–100) of `sorted` (ascending), or NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** p50 and p95 of unsorted samples, or null when there are none. */
export function p50p95(samples: readonly number[]): { p50: number; p95: number } | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
}
