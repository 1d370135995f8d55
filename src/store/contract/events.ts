/**
 * Part of the store contract (`Store`, store.ts, states the conventions).
 * The job-event log.
 */
import type { JobEventName } from "../../core/events.js";
import type { JobState } from "../../core/states.js";

/** An entry of the job-event log: written in the same transaction as the change it records. */
export interface StoredJobEvent {
  /** Position in the log; increases with every event. */
  seq: number;
  name: JobEventName;
  jobId: string;
  tenant: string;
  queue: string;
  type: string;
  status: JobState;
  at: Date;
  /**
   * Event-specific fields (camelCase): `attempt`; `worker` and `waitMs` (runAt → start) on
   * started; `progress`, `progressMessage`; `runMs` on completed; `error`; `runAt` (ms) on
   * queued and retrying; `reason` on queued (`submitted`, `retried` or `released`).
   */
  data: Record<string, unknown>;
}

/** The job-event log. */
export interface EventStore {
  /**
   * Events after `afterSeq`, oldest first, at most `limit`. Every state change a store makes is
   * logged in the same transaction (queued, started, progress, completed, failed, retrying,
   * cancelled), so readers in any process see every event exactly in commit order.
   */
  readJobEvents(params: { afterSeq: number; limit: number }): Promise<StoredJobEvent[]>;
  /** The newest event's `seq` (0 when the log is empty): where a new reader starts. */
  latestJobEventSeq(): Promise<number>;
  /** Deletes all but the newest `keep` events. Returns how many it deleted. */
  pruneJobEvents(params: { keep: number }): Promise<number>;
}
