/**
 * The options and result types of the library API (`Spool.open`, `enqueue`, `list`, `stats`),
 * and the schema that checks `Spool.open`'s options once, with their defaults.
 */
import { z } from "zod";
import type { Clock } from "./core/clock.js";
import type { JobRecord } from "./core/job.js";
import type { Logger } from "./core/logger.js";
import type { TierLimits, TierOptions } from "./core/tiers.js";
import { DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_MAX_RESULT_BYTES } from "./core/options.js";
import type { RetentionOptions } from "./maintenance/retention-pruner.js";
import type { StoreTuning } from "./store/open-store.js";
import type { StateCounts, Store } from "./store/store.js";

/** Options of `Spool.open` (durations in ms). */
export interface SpoolOptions {
  /** Clock (tests inject a fake one). Default: the system clock. */
  clock?: Clock;
  /** Logger with pino's call shape. Default: warnings and errors to stderr. */
  logger?: Logger;
  /** Run lease rescue, promotion and pruning in this process. Default true. */
  maintenance?: boolean | MaintenanceIntervals;
  /** Largest payload, encoded. Default 1 MiB. */
  maxPayloadBytes?: number;
  /** Largest handler result, encoded. Default 1 MiB. */
  maxResultBytes?: number;
  /** Apply pending migrations on open. Default true. */
  migrate?: boolean;
  /** Random source for backoff jitter (tests make it deterministic). Default Math.random. */
  random?: () => number;
  /** How long finished jobs are kept. */
  retention?: RetentionOptions;
  /** A store to use instead of opening `url`. */
  store?: Store;
  /** Store tuning passed to the store `url` opens. */
  storeTuning?: StoreTuning;
  /**
   * Tier of tenants that have none of their own (must name a tier). Default null: such
   * tenants have no tier and are unlimited unless they have a quota.
   */
  defaultTier?: string | null;
  /**
   * Credit tiers by name (SPEC §7): `{ pro: { dailyLimit: 10, monthlyLimit: 100 } }`; an
   * omitted limit is unlimited. Replaces the defaults (free 1/30, pro 10/100, elite 20/500,
   * unlimited) as a whole.
   */
  tiers?: Record<string, Partial<TierLimits>>;
  /** `sqlite:<path>` or `postgres://…`. Default: `SPOOL_URL`, `DATABASE_URL`, then `sqlite:./data/spool.db`. */
  url?: string;
}

/** Intervals of the maintenance services, ms. */
export interface MaintenanceIntervals {
  /**
   * Lease of the maintenance leadership: one process per store runs maintenance, and a peer
   * takes over within two leases of its death. Default 10,000.
   */
  leaderLeaseMs?: number;
  /** Default 250. */
  promoteIntervalMs?: number;
  /** Default 60,000. */
  pruneIntervalMs?: number;
  /** Default 1,000. */
  rescueIntervalMs?: number;
  /** Dependency and batch resolution (maintenance/flow-resolver.ts). Default 250. */
  flowIntervalMs?: number;
  /** How often the cron enqueuer looks for due schedules. Default 400. */
  cronIntervalMs?: number;
}

/** Runs a submission on the caller's own database client, inside its transaction (PostgreSQL). */
export interface TransactionOption {
  /** A connected `pg` client (or pool client) with an open transaction. */
  client?: unknown;
}

/** A job returned by `enqueue`: the record, and whether it was an existing unique job. */
export type EnqueuedJob = JobRecord & { duplicate: boolean };

/** Filters of `list`. */
export interface ListOptions {
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
  /** 1–1000. Default 50. */
  limit?: number;
  queue?: string;
  /** One state, several, or a comma-separated list; `pending` means `queued`. */
  status?: string | readonly string[];
  tag?: string;
  tenant?: string;
  type?: string;
}

/** Counts of jobs (SPEC §2 `/stats`, camelCase). */
export interface Stats extends StateCounts {
  totalJobs: number;
  /** Jobs waiting to run: scheduled + queued + retrying. */
  queueSize: number;
}

/** The schema `Spool.open` checks its options with (defaults applied). */
export const spoolOptionsSchema = z
  .object({
    clock: z.custom<Clock>((v) => typeof (v as Clock | undefined)?.now === "function").optional(),
    logger: z
      .custom<Logger>((v) => typeof (v as Logger | undefined)?.warn === "function")
      .optional(),
    maintenance: z
      .union([
        z.boolean(),
        z
          .object({
            leaderLeaseMs: z.number().int().min(100).optional(),
            promoteIntervalMs: z.number().int().min(10).optional(),
            pruneIntervalMs: z.number().int().min(100).optional(),
            rescueIntervalMs: z.number().int().min(10).optional(),
            flowIntervalMs: z.number().int().min(10).optional(),
            cronIntervalMs: z.number().int().min(10).optional(),
          })
          .strict(),
      ])
      .default(true),
    maxPayloadBytes: z.number().int().min(2).default(DEFAULT_MAX_PAYLOAD_BYTES),
    maxResultBytes: z.number().int().min(2).default(DEFAULT_MAX_RESULT_BYTES),
    migrate: z.boolean().default(true),
    random: z.custom<() => number>((v) => typeof v === "function").optional(),
    retention: z
      .object({
        completedMs: z.number().int().min(0).optional(),
        failedMs: z.number().int().min(0).optional(),
        cancelledMs: z.number().int().min(0).optional(),
      })
      .strict()
      .optional(),
    store: z
      .custom<Store>((v) => typeof (v as Store | undefined)?.claimJobs === "function")
      .optional(),
    storeTuning: z
      .object({
        pollIntervalMs: z.number().int().min(1).optional(),
        busyTimeoutMs: z.number().int().min(0).optional(),
        schema: z
          .string()
          .regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a lower-case SQL identifier")
          .optional(),
        poolSize: z.number().int().min(1).max(1000).optional(),
        readTimeoutMs: z.number().int().min(1).optional(),
      })
      .strict()
      .optional(),
    url: z.string().min(1).optional(),
    // Checked, with their own messages, by resolveTierPolicy (core/tiers.ts).
    defaultTier: z.unknown().optional(),
    tiers: z.unknown().optional(),
  })
  .strict();

/** The tier options of `Spool.open`'s (parsed) options, for `resolveTierPolicy`. */
export function pickTierOptions(options: { tiers?: unknown; defaultTier?: unknown }): TierOptions {
  return {
    ...(options.tiers === undefined ? {} : { tiers: options.tiers as TierOptions["tiers"] }),
    ...(options.defaultTier === undefined
      ? {}
      : { defaultTier: options.defaultTier as TierOptions["defaultTier"] }),
  } as TierOptions;
}
