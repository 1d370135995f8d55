/**
 * `spool.on` listeners, fed by the event feed: each stored job event becomes the listener's
 * `JobEventMap` event (with its `seq`), delivered one at a time in commit order. Only events
 * someone listens to are converted; `job.completed` reads the job's result from the store, as
 * the event log does not hold results (null once the job was retried or deleted meanwhile) —
 * one read for every batch of events the feed hands over, not one per event.
 */
import {
  JOB_EVENT_NAMES,
  SafeEmitter,
  type JobEventBase,
  type JobEventMap,
  type JobEventName,
  type ListenerErrorHandler,
} from "../core/events.js";
import type { JsonValue } from "../core/json.js";
import type { Store, StoredJobEvent } from "../store/store.js";

/** Most results of `job.completed` events read in one call (then delivered in order). */
const RESULT_READS = 1_000;

/** A listener of one job event. */
export type JobEventListener<K extends JobEventName> = (event: JobEventMap[K]) => void;

/** See the module header. */
export class JobEventListeners {
  private readonly emitter: SafeEmitter<JobEventMap>;
  private pending: StoredJobEvent[] = [];
  private draining = false;

  constructor(
    private readonly store: Store,
    onListenerError: ListenerErrorHandler,
  ) {
    this.emitter = new SafeEmitter(onListenerError);
  }

  on<K extends JobEventName>(name: K, listener: JobEventListener<K>): () => void {
    return this.emitter.on(name, listener);
  }

  once<K extends JobEventName>(name: K, listener: JobEventListener<K>): () => void {
    return this.emitter.once(name, listener);
  }

  off<K extends JobEventName>(name: K, listener: JobEventListener<K>): void {
    this.emitter.off(name, listener);
  }

  /** Drops every listener and what waits to be delivered. */
  clear(): void {
    this.emitter.clear();
    this.pending = [];
  }

  /** The event names someone listens to (the feed reads only those). */
  readonly wanted = (): JobEventName[] => JOB_EVENT_NAMES.filter((name) => this.emitter.has(name));

  /** The feed listener: queues the event when anyone listens to its name. */
  readonly onEvent = (event: StoredJobEvent): void => {
    if (!this.emitter.has(event.name)) return;
    this.pending.push(event);
    if (!this.draining) void this.drain();
  };

  /** Delivers queued events in order; a `job.completed` waits for its result to be read. */
  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        for (let i = 0; i < batch.length; i += RESULT_READS) {
          const chunk = batch.slice(i, i + RESULT_READS);
          const results = await this.resultsOf(chunk);
          for (const event of chunk) emitJobEvent(this.emitter, event, results.get(event.jobId));
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** The results of the completed jobs of `events`' `job.completed` ones (one read). */
  private async resultsOf(
    events: readonly StoredJobEvent[],
  ): Promise<Map<string, JsonValue | null>> {
    const ids = events.filter((e) => e.name === "job.completed").map((e) => e.jobId);
    if (ids.length === 0) return new Map();
    try {
      return await this.store.readJobResults({ ids });
    } catch {
      return new Map();
    }
  }
}

/** Builds a listener's event from a stored one and emits it. */
function emitJobEvent(
  emitter: SafeEmitter<JobEventMap>,
  event: StoredJobEvent,
  result: JsonValue | null | undefined,
): void {
  const base: JobEventBase = {
    seq: event.seq,
    jobId: event.jobId,
    tenant: event.tenant,
    queue: event.queue,
    type: event.type,
    status: event.status,
    at: event.at,
  };
  switch (event.name) {
    case "job.queued":
      return emitter.emit(event.name, { ...base, runAt: new Date(event.data.runAt) });
    case "job.started": {
      const { attempt, worker } = event.data;
      return emitter.emit(event.name, { ...base, attempt, worker });
    }
    case "job.progress": {
      const { progress, progressMessage } = event.data;
      return emitter.emit(event.name, { ...base, progress, progressMessage });
    }
    case "job.completed":
      return emitter.emit(event.name, {
        ...base,
        attempt: event.data.attempt,
        result: result ?? null,
      });
    case "job.failed": {
      const { attempt, error } = event.data;
      return emitter.emit(event.name, { ...base, attempt, error });
    }
    case "job.retrying": {
      const { attempt, error, runAt } = event.data;
      return emitter.emit(event.name, { ...base, attempt, error, runAt: new Date(runAt) });
    }
    case "job.cancelled":
      return emitter.emit(event.name, base);
  }
}
