/**
 * Typed events (SPEC §3): `noun.verb` names in the past tense, each carrying the job id, queue,
 * type and status. Job events come from the store's event log only (src/events/): `data` of a
 * stored event is typed by `JobEventDataMap`, a listener's event by `JobEventMap`. The emitter
 * catches listener errors so one faulty listener cannot break a worker or a submission.
 */
import type { JobErrorEntry } from "./job.js";
import type { JsonValue } from "./json.js";
import type { JobState } from "./states.js";

/** Fields every job event carries. */
export interface JobEventBase {
  /** The event's position in the store's event log (resume from it: SSE `Last-Event-ID`). */
  seq: number;
  jobId: string;
  tenant: string;
  queue: string;
  /** The job's type (handler name). */
  type: string;
  status: JobState;
  /** When it happened. */
  at: Date;
}

/** An error as an event records it: the job's error entry without its time and stack. */
export type EventError = Omit<JobErrorEntry, "at" | "stack">;

/**
 * What each event's stored `data` holds (both stores build exactly these fields; the conformance
 * suite checks them). Times are epoch ms; `waitMs` is runAt → start, `runMs` start → end.
 * `job.cancelled` depends on how the job ended: a waiting job or a released lease carry nothing;
 * an acknowledgement or a failure that met a requested cancellation carry the attempt and its
 * run time or error; a dependant of a failed parent carries its DependencyFailed error.
 */
export interface JobEventDataMap {
  "job.queued": {
    runAt: number;
    reason: "submitted" | "retried" | "released" | "dependencies";
  };
  "job.started": { attempt: number; worker: string; waitMs: number };
  /** `progressMessage` is the renewal's message: null when it sent none (the job keeps its own). */
  /** `progressMessage`: the renewal's message, null when it sent none (the job keeps its own). */
  "job.progress": { progress: number; progressMessage: string | null };
  "job.completed": { attempt: number; runMs: number };
  "job.failed": { attempt: number; error: EventError };
  "job.retrying": { attempt: number; error: EventError; runAt: number };
  "job.cancelled":
    | Record<string, never>
    | { attempt: number; runMs: number }
    | { attempt: number; error: EventError }
    | { error: EventError };
}

/** The job events as `spool.on` listeners receive them, and their extra fields. */
export interface JobEventMap {
  "job.queued": JobEventBase & { runAt: Date };
  "job.started": JobEventBase & { attempt: number; worker: string };
  "job.progress": JobEventBase & { progress: number; progressMessage: string | null };
  "job.completed": JobEventBase & { attempt: number; result: JsonValue | null };
  "job.failed": JobEventBase & { attempt: number; error: EventError };
  "job.retrying": JobEventBase & { attempt: number; error: EventError; runAt: Date };
  "job.cancelled": JobEventBase;
}

/** A job event name. */
export type JobEventName = keyof JobEventMap;

/** Every job event name, in lifecycle order. */
export const JOB_EVENT_NAMES = [
  "job.queued",
  "job.started",
  "job.progress",
  "job.completed",
  "job.failed",
  "job.retrying",
  "job.cancelled",
] as const satisfies readonly JobEventName[];

/** A job event with its name, as streamed (SSE, WebSocket). */
export type JobEvent = { [K in JobEventName]: { name: K } & JobEventMap[K] }[JobEventName];

/** Receives errors thrown by listeners. */
export type ListenerErrorHandler = (error: unknown, eventName: string) => void;

/** A small typed emitter whose `emit` never throws. */
export class SafeEmitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<(event: never) => void>>();
  /** `once` wrappers by the listener they wrap, so `off(listener)` removes them too. */
  private readonly onceWrappers = new Map<
    keyof Events,
    Map<(event: never) => void, (event: never) => void>
  >();

  constructor(private readonly onListenerError: ListenerErrorHandler) {}

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events>(name: K, listener: (event: Events[K]) => void): () => void {
    let set = this.listeners.get(name);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener as (event: never) => void);
    return () => this.off(name, listener);
  }

  /** Adds a listener that runs once. */
  once<K extends keyof Events>(name: K, listener: (event: Events[K]) => void): () => void {
    const wrapper = (event: Events[K]): void => {
      this.off(name, listener);
      listener(event);
    };
    let wrappers = this.onceWrappers.get(name);
    if (wrappers === undefined) {
      wrappers = new Map();
      this.onceWrappers.set(name, wrappers);
    }
    wrappers.set(listener as (event: never) => void, wrapper as (event: never) => void);
    this.on(name, wrapper);
    return () => this.off(name, listener);
  }

  /** Removes a listener. */
  off<K extends keyof Events>(name: K, listener: (event: Events[K]) => void): void {
    const key = listener as (event: never) => void;
    this.listeners.get(name)?.delete(key);
    const wrapper = this.onceWrappers.get(name)?.get(key);
    if (wrapper !== undefined) {
      this.onceWrappers.get(name)!.delete(key);
      this.listeners.get(name)?.delete(wrapper);
    }
  }

  /** True when anyone listens to `name` (lets hot paths skip building events). */
  has(name: keyof Events): boolean {
    return (this.listeners.get(name)?.size ?? 0) > 0;
  }

  /** Calls every listener of `name`; a throwing listener is reported and skipped. */
  emit<K extends keyof Events>(name: K, event: Events[K]): void {
    const set = this.listeners.get(name);
    if (set === undefined || set.size === 0) return;
    for (const listener of [...set]) {
      try {
        (listener as (event: Events[K]) => void)(event);
      } catch (error) {
        this.onListenerError(error, String(name));
      }
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.listeners.clear();
    this.onceWrappers.clear();
  }
}
