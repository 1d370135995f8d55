/**
 * Part of the store contract (`Store`, store.ts, states the conventions).
 * The store's own life: capabilities, migrations, health, wake-up hints.
 */

/** Real differences between stores. Callers branch on these, never on the class. */
export interface StoreCapabilities {
  /** Wake-ups travel through the database to every process (PostgreSQL LISTEN/NOTIFY). */
  listenNotify: boolean;
  /** Claims lock rows and skip locked ones, so claimers run in parallel (FOR UPDATE SKIP LOCKED). */
  skipLocked: boolean;
  /** `enqueueJobs` can run inside the caller's own transaction. */
  transactionalEnqueue: boolean;
  /**
   * The store's tables collect dead row versions that only a vacuum reclaims (PostgreSQL MVCC),
   * so `readTableHealth` reports them and `vacuumTable` acts; the table vacuumer runs only then.
   * SQLite overwrites in place and frees pages itself: nothing to do.
   */
  tableMaintenance: boolean;
}

/** What `migrate` did. */
export interface MigrationResult {
  /** Versions applied by this call, in order. */
  applied: number[];
  /** The schema version after the call. */
  version: number;
}

/** Called when jobs may have become ready in `queue` (null: some queue). A hint: may be spurious. */
export type JobsAvailableListener = (queue: string | null) => void;

/** The store's own life: capabilities, migrations, health, wake-up hints. */
export interface StoreLifecycle {
  readonly capabilities: StoreCapabilities;
  /** Applies pending migrations; safe when several processes call it at once. */
  migrate(): Promise<MigrationResult>;
  /** Succeeds when the store answers a trivial query. */
  ping(): Promise<void>;
  /** Releases connections; further calls fail. */
  close(): Promise<void>;
  /**
   * Subscribes to "job events were committed" hints from writes made through this store object
   * (other processes' writes send none); returns the unsubscribe function.
   */
  onEventsWritten(listener: () => void): () => void;
  /** Subscribes to "jobs may be ready" hints; returns the unsubscribe function. */
  onJobsAvailable(listener: JobsAvailableListener): () => void;
}
