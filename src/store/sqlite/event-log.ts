/**
 * The job-event log on SQLite: events are appended inside the transaction that makes the change
 * (one statement per batch), so a reader in any process sees each change exactly once, in commit
 * order — SQLite commits are serial, so `seq` order is commit order.
 */
import type { JobEventName } from "../../core/events.js";
import type { JobState } from "../../core/states.js";
import type { StoredJobEvent } from "../store.js";
import { namedReadEnd } from "../shared/named-event-reads.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import * as eventsSql from "./sql/events.js";

/** An event to append: the job's identity plus its event-specific fields. */
export interface NewJobEvent {
  name: JobEventName;
  jobId: string;
  tenant: string;
  queue: string;
  type: string;
  status: JobState;
  data?: Record<string, unknown>;
}

/** The identity fields of an event about `job`. */
export function eventIdentity(job: {
  id: string;
  tenant: string;
  queue: string;
  type: string;
}): Pick<NewJobEvent, "jobId" | "tenant" | "queue" | "type"> {
  return { jobId: job.id, tenant: job.tenant, queue: job.queue, type: job.type };
}

type EventRow = [
  seq: number,
  at: number,
  name: JobEventName,
  jobId: string,
  tenant: string,
  queue: string,
  type: string,
  status: JobState,
  data: string,
];

/** Appends events; call inside the transaction that made the changes they record. */
export function appendJobEvents(
  db: SqliteConnection,
  events: readonly NewJobEvent[],
  now: number,
): void {
  if (events.length === 0) return;
  db.noteEventsAppended();
  const insert = db.stmt(eventsSql.APPEND_EVENT);
  for (const e of events) {
    insert.run(
      now,
      e.name,
      e.jobId,
      e.tenant,
      e.queue,
      e.type,
      e.status,
      e.data === undefined ? "{}" : JSON.stringify(e.data),
    );
  }
}

/** Events after `afterSeq`, oldest first. */
export function readJobEvents(
  db: SqliteConnection,
  afterSeq: number,
  limit: number,
): StoredJobEvent[] {
  const rows = db.guard(
    () => db.rawStmt(eventsSql.SELECT_EVENTS).all({ after: afterSeq, limit }) as EventRow[],
  );
  return rows.map(toStoredEvent);
}

/**
 * The events after `afterSeq` named in `names`, and how far the log was read (the contract).
 * The newest seq is read first and bounds the read, so an event committed in between (by another
 * process) is left for the next read rather than skipped.
 */
export function readNamedJobEvents(
  db: SqliteConnection,
  params: { afterSeq: number; limit: number; names: readonly string[] },
): { events: StoredJobEvent[]; scannedTo: number } {
  const newest = latestJobEventSeq(db);
  const rows = db.guard(
    () =>
      db.rawStmt(eventsSql.SELECT_NAMED_EVENTS).all({
        after: params.afterSeq,
        newest,
        limit: params.limit,
        names: JSON.stringify(params.names),
      }) as EventRow[],
  );
  const events = rows.map(toStoredEvent);
  return { events, scannedTo: namedReadEnd(events, params, newest) };
}

function toStoredEvent(r: EventRow): StoredJobEvent {
  return {
    seq: r[0],
    at: new Date(r[1]),
    name: r[2],
    jobId: r[3],
    tenant: r[4],
    queue: r[5],
    type: r[6],
    status: r[7],
    data: JSON.parse(r[8]) as Record<string, unknown>,
  } as StoredJobEvent;
}

/** The newest `seq`, or 0. */
export function latestJobEventSeq(db: SqliteConnection): number {
  return db.guard(() => db.stmt(eventsSql.SELECT_LATEST_EVENT_SEQ).pluck().get() as number);
}

/** Deletes all but the newest `keep` events. */
export function pruneJobEvents(
  db: SqliteConnection,
  params: { keep: number; before?: number | undefined },
): number {
  const values = { keep: params.keep, before: params.before ?? null };
  return db.write(() => db.stmt(eventsSql.PRUNE_EVENTS).run(values).changes);
}
