/**
 * Tenant quotas ("credits", seed 004): at most N submitted jobs per UTC day and per UTC month.
 * Usage is kept per period key; the keys and reset times are derived from `now` here, so both
 * stores agree on them.
 */
import { QuotaExceededError } from "./errors.js";

/** The current quota periods at `now`. */
export interface QuotaPeriods {
  /** e.g. `day:2026-11-23`. */
  day: string;
  /** e.g. `month:2026-11`. */
  month: string;
  /** Start of the next UTC day, ms. */
  dayResetsAt: number;
  /** Start of the next UTC month, ms. */
  monthResetsAt: number;
}

/** The quota periods containing `now` (UTC). */
export function quotaPeriods(now: number): QuotaPeriods {
  const date = new Date(now);
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth();
  const d = date.getUTCDate();
  const pad = (n: number): string => String(n).padStart(2, "0");
  return {
    day: `day:${y}-${pad(m + 1)}-${pad(d)}`,
    month: `month:${y}-${pad(m + 1)}`,
    dayResetsAt: Date.UTC(y, m, d + 1),
    monthResetsAt: Date.UTC(y, m + 1, 1),
  };
}

/** A tenant's quota and what it used in the current periods. */
export interface TenantCredits {
  tenant: string;
  /** The tier the limits come from (the tenant's own, else the default); null when none. */
  tier: string | null;
  /** Jobs per UTC day; null = unlimited. */
  dailyLimit: number | null;
  dailyUsed: number;
  dailyResetsAt: Date;
  /** Jobs per UTC month; null = unlimited. */
  monthlyLimit: number | null;
  monthlyUsed: number;
  monthlyResetsAt: Date;
}

/**
 * Throws `QuotaExceededError` when usage after a charge is over a limit (the caller's
 * transaction then rolls back, so a refused submission consumes nothing).
 */
export function assertWithinQuota(
  tenant: string,
  usage: { dailyUsed: number; monthlyUsed: number },
  limits: { dailyLimit: number | null; monthlyLimit: number | null },
  now: number,
): void {
  const periods = quotaPeriods(now);
  if (limits.dailyLimit !== null && usage.dailyUsed > limits.dailyLimit) {
    throw new QuotaExceededError(tenant, "daily", limits.dailyLimit, periods.dayResetsAt - now);
  }
  if (limits.monthlyLimit !== null && usage.monthlyUsed > limits.monthlyLimit) {
    throw new QuotaExceededError(
      tenant,
      "monthly",
      limits.monthlyLimit,
      periods.monthResetsAt - now,
    );
  }
}
