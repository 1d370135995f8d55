/**
 * Small statistics helpers for the benchmark: medians of repeated runs and latency
 * percentiles. Pure functions; no I/O.
 */

/** The median of `values` (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The `p`-th percentile (0–100) of `values`, by linear interpolation between the closest ranks
 * (the same definition as NumPy's default), so p50 of an even count is the median.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError("percentile of no values");
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile out of range: ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const fraction = rank - low;
  return sorted[low]! + (sorted[high]! - sorted[low]!) * fraction;
}

/** p50 / p99 / max of a latency sample, in the sample's unit. */
export interface LatencySummary {
  p50: number;
  p99: number;
  max: number;
  samples: number;
}

/** Summarises a latency sample. */
export function summarizeLatency(values: readonly number[]): LatencySummary {
  return {
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max: Math.max(...values),
    samples: values.length,
  };
}
