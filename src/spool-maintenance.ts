/**
 * Builds a Spool's maintenance runner: the services (rescue, promote, prune, vacuum, cron) with the intervals
 * of `SpoolOptions.maintenance`, behind a leadership so that one process per store runs them.
 */
import { hostname } from "node:os";
import type { Clock } from "./core/clock.js";
import { uuidv7 } from "./core/ids.js";
import type { Logger } from "./core/logger.js";
import { CountFolder } from "./maintenance/count-folder.js";
import { CronEnqueuer } from "./maintenance/cron-enqueuer.js";
import { EventPruner } from "./maintenance/event-pruner.js";
import { FlowResolver } from "./maintenance/flow-resolver.js";
import { JobPromoter } from "./maintenance/job-promoter.js";
import { DEFAULT_LEADER_LEASE_MS, MaintenanceLeadership } from "./maintenance/leadership.js";
import { LeaseRescuer } from "./maintenance/lease-rescuer.js";
import { RetentionPruner, type RetentionOptions } from "./maintenance/retention-pruner.js";
import { MaintenanceRunner } from "./maintenance/runner.js";
import { TableVacuumer } from "./maintenance/table-vacuumer.js";
import { WorkerPruner } from "./maintenance/worker-pruner.js";
import type { MaintenanceIntervals } from "./spool-options.js";
import type { TierPolicy } from "./core/tiers.js";
import type { Store } from "./store/store.js";

/** What the runner is built from. */
export interface MaintenanceParts {
  clock: Clock;
  intervals: { [K in keyof MaintenanceIntervals]?: MaintenanceIntervals[K] | undefined };
  logger: Logger;
  random: () => number;
  retention: RetentionOptions | undefined;
  store: Store;
  /** The Spool's tier policy: what scheduled ticks are charged under. */
  tiers?: TierPolicy | undefined;
}

/** See the module header. */
export function createMaintenance(parts: MaintenanceParts): MaintenanceRunner {
  const { store, intervals, clock, logger } = parts;
  const services = [
    new LeaseRescuer({
      store,
      random: parts.random,
      ...opt("intervalMs", intervals.rescueIntervalMs),
    }),
    new JobPromoter({ store, ...opt("intervalMs", intervals.promoteIntervalMs) }),
    // Dependencies and batches (SPEC §8): releases held jobs, cancels orphans, fires on_complete.
    new FlowResolver({ store, ...opt("intervalMs", intervals.flowIntervalMs) }),
    new RetentionPruner({
      store,
      ...opt("retention", parts.retention),
      ...opt("intervalMs", intervals.pruneIntervalMs),
    }),
    new EventPruner({ store }),
    new WorkerPruner({ store }),
    // Folds PostgreSQL's job-count deltas into the base counts (a no-op on SQLite).
    new CountFolder({ store }),
    // PostgreSQL only: dead row versions that autovacuum (off, or lagging) leaves behind.
    ...(store.capabilities.tableMaintenance ? [new TableVacuumer({ store })] : []),
    // Cron schedules: exactly one job per tick (cron-enqueuer.ts).
    new CronEnqueuer({
      store,
      tiers: parts.tiers,
      logger,
      ...opt("intervalMs", intervals.cronIntervalMs),
    }),
  ];
  const leadership = new MaintenanceLeadership({
    store,
    clock,
    logger,
    // Unique per process and per Spool instance (two instances in one process are two peers).
    holder: `${hostname()}:${process.pid}:${uuidv7(clock.now())}`,
    leaseMs: intervals.leaderLeaseMs ?? DEFAULT_LEADER_LEASE_MS,
  });
  return new MaintenanceRunner({ clock, logger, services, leadership });
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
