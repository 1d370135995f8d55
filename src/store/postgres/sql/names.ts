/**
 * Schema-qualified, quoted table names that the PostgreSQL statement templates are built from.
 * Statements are plain functions of these names, called once per schema when a store opens, so
 * no SQL text is ever rewritten afterwards.
 */
import { createHash } from "node:crypto";

/** Quoted names for one schema, e.g. `"spool"."jobs"`. */
export interface SchemaNames {
  /** The quoted schema, e.g. `"spool"`. */
  schema: string;
  /** The quoted, qualified jobs table. */
  jobs: string;
  /** The quoted, qualified queues table. */
  queues: string;
  /** The published job-event log (readers see it in `seq` order). */
  events: string;
  /** Job events written by committed changes and not yet published (see event-log.ts). */
  pendingEvents: string;
  /** The two partitions (slots) of `pendingEvents`, by slot number. */
  pendingEventSlots: readonly [string, string];
  /** The one-row table naming the slot writers append to (migration 0007). */
  eventSlot: string;
  /** The one-row table holding the snapshot of the last publication (migration 0007). */
  eventPublisher: string;
  /** API keys (hashes only). */
  apiKeys: string;
  /** Tenant quotas and their usage per period. */
  tenantQuotas: string;
  tenantUsage: string;
  /** Worker presence rows (the worker registry). */
  workers: string;
  /** Job counts by (tenant, queue, state), and the deltas not yet folded into them. */
  jobCounts: string;
  jobCountDeltas: string;
  /** Per-tenant settings: tier and fair-scheduling weight (migration 0010). */
  tenants: string;
  /** Log lines of jobs (migration 0015). */
  jobLogs: string;
  /** Cron schedules (migration 0013). */
  schedules: string;
  /** The quoted, qualified migrations ledger. */
  migrations: string;
  /** The ledger of server-side routines applied after the migrations (postgres-routines.ts). */
  routines: string;
  /** Parents of jobs, the jobs still held for them, batches and their members (migration 0014). */
  jobDependencies: string;
  jobDependencyWaits: string;
  batches: string;
  batchJobs: string;
  /** Webhook subscriptions, their deliveries, the attempt log and the fan-out cursor. */
  webhooks: string;
  webhookDeliveries: string;
  webhookAttempts: string;
  webhookCursor: string;
}

/** A statement template: the SQL text of one named statement for the given schema. */
export type SqlTemplate = (names: SchemaNames) => string;

/**
 * The LISTEN/NOTIFY channel of a schema: `<schema>_jobs` (`spool_jobs` by default). Channel names
 * are identifiers of at most 63 bytes; a longer one is replaced by a hash of the schema.
 */
export function channelName(schema: string): string {
  const channel = `${schema}_jobs`;
  if (Buffer.byteLength(channel) <= 63) return channel;
  return `spool_${createHash("sha256").update(schema).digest("hex").slice(0, 40)}_jobs`;
}

/** Quotes an SQL identifier (doubling embedded quotes), as PostgreSQL's quote_ident does. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The quoted names of Spool's tables in `schema`. */
export function schemaNames(schema: string): SchemaNames {
  const quoted = quoteIdentifier(schema);
  return {
    schema: quoted,
    jobs: `${quoted}.${quoteIdentifier("jobs")}`,
    queues: `${quoted}.${quoteIdentifier("queues")}`,
    events: `${quoted}.${quoteIdentifier("job_events")}`,
    pendingEvents: `${quoted}.${quoteIdentifier("job_events_pending")}`,
    pendingEventSlots: [
      `${quoted}.${quoteIdentifier("job_events_pending_0")}`,
      `${quoted}.${quoteIdentifier("job_events_pending_1")}`,
    ],
    eventSlot: `${quoted}.${quoteIdentifier("job_event_slot")}`,
    eventPublisher: `${quoted}.${quoteIdentifier("job_event_publisher")}`,
    apiKeys: `${quoted}.${quoteIdentifier("api_keys")}`,
    tenantQuotas: `${quoted}.${quoteIdentifier("tenant_quotas")}`,
    tenantUsage: `${quoted}.${quoteIdentifier("tenant_usage")}`,
    workers: `${quoted}.${quoteIdentifier("workers")}`,
    jobCounts: `${quoted}.${quoteIdentifier("job_counts")}`,
    jobCountDeltas: `${quoted}.${quoteIdentifier("job_count_deltas")}`,
    tenants: `${quoted}.${quoteIdentifier("tenants")}`,
    jobLogs: `${quoted}.${quoteIdentifier("job_logs")}`,
    schedules: `${quoted}.${quoteIdentifier("schedules")}`,
    migrations: `${quoted}.${quoteIdentifier("schema_migrations")}`,
    routines: `${quoted}.${quoteIdentifier("schema_routines")}`,
    jobDependencies: `${quoted}.${quoteIdentifier("job_dependencies")}`,
    jobDependencyWaits: `${quoted}.${quoteIdentifier("job_dependency_waits")}`,
    batches: `${quoted}.${quoteIdentifier("batches")}`,
    batchJobs: `${quoted}.${quoteIdentifier("batch_jobs")}`,
    webhooks: `${quoted}.${quoteIdentifier("webhooks")}`,
    webhookDeliveries: `${quoted}.${quoteIdentifier("webhook_deliveries")}`,
    webhookAttempts: `${quoted}.${quoteIdentifier("webhook_attempts")}`,
    webhookCursor: `${quoted}.${quoteIdentifier("webhook_cursor")}`,
  };
}
