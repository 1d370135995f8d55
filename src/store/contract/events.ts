/**
 * Part of the store contract (`Store`, store.ts, states the conventions).
 * The job-event log.
 */
import type { JobEventDataMap, JobEventName } from "../../core/events.js";
import type { JobState } from "../../core/states.js";

/** An entry of the job-event log: written in the same transaction as the change it records. */
export type StoredJobEvent = {
  [K in JobEventName]: StoredJobEventOf<K>;
}[JobEventName];

/** A stored event of one name, its `data` as `JobEventDataMap` describes it. */
export interface StoredJobEventOf<K extends JobEventName> {
  /** Position in the log; increases with every event. */
  seq: number;
  name: K;
  jobId: string;
  tenant: string;
  queue: string;
  type: string;
  status: JobState;
  at: Date;
  /** Event-specific fields (camelCase, times in epoch ms): see `JobEventDataMap`. */
  data: JobEventDataMap[K];
}

/** The job-event log. */
export interface EventStore {
  /**
   * Events after `afterSeq`, oldest first, at most `limit`. Every state change a store makes is
   * logged in the same transaction (queued, started, progress, completed, failed, retrying,
   * cancelled), so readers in any process see every event exactly in commit order.
   */
  readJobEvents(params: { afterSeq: number; limit: number }): Promise<StoredJobEvent[]>;
  /**
   * Like `readJobEvents`, only the events named in `names` — for a follower that wants a few
   * (the library's `spool.on` listeners), so the others are not sent or decoded. `scannedTo`
   * is how far the log was read: the last event returned when `limit` were, else the newest
   * published event (every event up to it not returned is not one of `names`), so the follower
   * moves on to it instead of reading the same events again.
   */
  readNamedJobEvents(params: {
    afterSeq: number;
    limit: number;
    names: readonly JobEventName[];
  }): Promise<{ events: StoredJobEvent[]; scannedTo: number }>;
  /** The newest event's `seq` (0 when the log is empty): where a new reader starts. */
  latestJobEventSeq(): Promise<number>;
  /**
   * Deletes all but the newest `keep` events; the newest stays whatever `keep` says, so a seq is
   * never handed out twice. Returns how many it deleted. With `before` (ms), only events older
   * than it go, however many there are: a reader that lags (a busy `spool.on` feed) loses
   * nothing younger.
   */
  pruneJobEvents(params: { keep: number; before?: number }): Promise<number>;
}
