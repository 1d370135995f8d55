/**
 * The job-event log on PostgreSQL. Writers log events into `job_events_pending` inside the
 * statement that makes each change (so an event exists exactly when its change committed);
 * readers publish committed pending events into `job_events` before reading, under an advisory
 * lock held until the publishing transaction commits — so `seq` numbers become visible strictly
 * in order, and a reader that has seen `seq` n can never later find a new event numbered below
 * n. See sql/events.ts for the reasoning, and for how publication goes by snapshots instead of
 * deleting what it moved.
 *
 * The pending table has two slots (partitions). Every `ROTATE_EVERY` events a publisher points
 * writers at the other slot; later publishers empty the previous one with TRUNCATE as soon as
 * they can lock it without waiting — which proves no writer is still at work in it, so that one
 * more publication under the lock moves everything it holds. Nothing is ever deleted row by row,
 * so the table never holds dead rows, whatever the load and whether or not anything vacuums.
 *
 * A read first looks (one round trip, no lock) whether anything waits to be published; only then
 * does it publish, in a transaction, before reading again. The lock is blocking, not "try": a
 * reader that finds another publisher at work waits for it (a few ms) and then publishes too, so
 * a process always reads the events of every change it committed before it asked.
 */
import { createHash } from "node:crypto";
import type pg from "pg";
import type { JobEventName } from "../../core/events.js";
import type { JobState } from "../../core/states.js";
import type { StoredJobEvent } from "../store.js";
import { namedReadEnd } from "../shared/named-event-reads.js";
import { runStatement, withTransaction, type Queryable, type Statements } from "./postgres-pool.js";

/** Events published from one pending slot before writers are pointed at the other. */
const ROTATE_EVERY = 50_000;

/**
 * Most events a read of some names looks through per statement (SELECT_NAMED_EVENTS): a
 * subscriber of one name behind a long run of others reads on in statements of this many.
 */
const NAMED_READ_BUDGET = 50_000;

/** SQLSTATE of a lock that NOWAIT could not take. */
const LOCK_NOT_AVAILABLE = "55P03";

interface PublishRow {
  moved: number;
  /** The newest published seq after this publication. */
  newest: number;
  slot: 0 | 1;
  rotated_after: number;
  draining: boolean;
}

/** A row of SELECT_NAMED_EVENTS: an event (or nulls) with how far the statement read. */
interface NamedEventRow extends EventRow {
  newest: number;
  scanned_to: number | null;
}

interface EventRow {
  has_pending: boolean;
  seq: number | null;
  at: number;
  name: JobEventName;
  job_id: string;
  tenant: string;
  queue: string;
  type: string;
  status: JobState;
  data: Record<string, unknown>;
}

/** The advisory-lock key of a schema's event publisher (a signed 64-bit integer, as text). */
export function publisherLockKey(schema: string): string {
  return createHash("sha256")
    .update(`spool.events:${schema}`)
    .digest()
    .readBigInt64BE(0)
    .toString();
}

/** Publishes committed pending events, then runs `read` in the same transaction. */
async function publishThen<T>(
  pool: pg.Pool,
  statements: Statements,
  lockKey: string,
  read: (client: Queryable) => Promise<T>,
): Promise<T> {
  return withTransaction(pool, async (client) => {
    await runStatement(client, statements.LOCK_EVENT_PUBLISHER, [lockKey]);
    const published = await runStatement<PublishRow>(client, statements.PUBLISH_EVENTS, []);
    await rotateSlots(client, statements, published.rows[0]!);
    return read(client);
  });
}

/**
 * After a publication (under the publisher lock): empties the slot writers left, or points them
 * at the other slot once this one has taken `ROTATE_EVERY` events. The lock on the slot is taken
 * without waiting, in a savepoint: a writer or reader still in it means "next time".
 */
async function rotateSlots(
  client: pg.PoolClient,
  statements: Statements,
  state: PublishRow,
): Promise<void> {
  if (state.draining) {
    const other = state.slot === 0 ? 1 : 0;
    await client.query("SAVEPOINT spool_drain_event_slot");
    try {
      await runStatement(
        client,
        other === 0 ? statements.LOCK_EVENT_SLOT_0 : statements.LOCK_EVENT_SLOT_1,
        [],
      );
    } catch (error) {
      if ((error as { code?: unknown }).code !== LOCK_NOT_AVAILABLE) throw error;
      await client.query("ROLLBACK TO SAVEPOINT spool_drain_event_slot");
      return;
    }
    // Under the lock every event in the slot is committed and visible to this statement.
    await runStatement(client, statements.PUBLISH_EVENTS, []);
    await runStatement(
      client,
      other === 0 ? statements.TRUNCATE_EVENT_SLOT_0 : statements.TRUNCATE_EVENT_SLOT_1,
      [],
    );
    await runStatement(client, statements.END_EVENT_SLOT_DRAIN, []);
    await client.query("RELEASE SAVEPOINT spool_drain_event_slot");
  } else if (state.newest - state.rotated_after >= ROTATE_EVERY) {
    await runStatement(client, statements.SWITCH_EVENT_SLOT, [
      state.slot === 0 ? 1 : 0,
      state.newest,
    ]);
  }
}

/**
 * Runs a read that reports `has_pending`; when committed events are waiting to be published,
 * publishes them and reads again in the publishing transaction.
 */
async function readPublished<R extends { has_pending: boolean }>(
  pool: pg.Pool,
  statements: Statements,
  lockKey: string,
  read: (on: Queryable) => Promise<pg.QueryResult<R>>,
): Promise<R[]> {
  const first = await read(pool);
  if (!first.rows.some((row) => row.has_pending)) return first.rows;
  return (await publishThen(pool, statements, lockKey, read)).rows;
}

/** Events after `afterSeq`, oldest first. */
export async function readJobEvents(
  pool: pg.Pool,
  statements: Statements,
  lockKey: string,
  params: { afterSeq: number; limit: number },
): Promise<StoredJobEvent[]> {
  const rows = await readPublished(pool, statements, lockKey, (on) =>
    runStatement<EventRow>(on, statements.SELECT_EVENTS, [params.afterSeq, params.limit]),
  );
  return toStoredEvents(rows);
}

/**
 * The events after `afterSeq` named in `names`, and how far the log was read (the contract):
 * statement after statement of `NAMED_READ_BUDGET` events each, until `limit` are found or the
 * newest event is reached.
 */
export async function readNamedJobEvents(
  pool: pg.Pool,
  statements: Statements,
  lockKey: string,
  params: { afterSeq: number; limit: number; names: readonly string[] },
): Promise<{ events: StoredJobEvent[]; scannedTo: number }> {
  const events: StoredJobEvent[] = [];
  let after = params.afterSeq;
  for (;;) {
    const rows = await readPublished(pool, statements, lockKey, (on) =>
      runStatement<NamedEventRow>(on, statements.SELECT_NAMED_EVENTS, [
        after,
        params.limit - events.length,
        params.names,
        NAMED_READ_BUDGET,
      ]),
    );
    events.push(...toStoredEvents(rows));
    const scanned = rows[0]?.scanned_to ?? after;
    if (events.length >= params.limit || scanned >= (rows[0]?.newest ?? 0)) {
      return { events, scannedTo: namedReadEnd(events, params, scanned) };
    }
    after = scanned;
  }
}

/** The rows of an event read as stored events (the row of nulls of an empty read dropped). */
function toStoredEvents(rows: readonly EventRow[]): StoredJobEvent[] {
  return rows
    .filter((row) => row.seq !== null)
    .map((row) => ({
      seq: row.seq!,
      at: new Date(row.at),
      name: row.name,
      jobId: row.job_id,
      tenant: row.tenant,
      queue: row.queue,
      type: row.type,
      status: row.status,
      data: row.data,
    })) as StoredJobEvent[];
}

/** The newest published `seq` (after publishing what waits), or 0. */
export async function latestJobEventSeq(
  pool: pg.Pool,
  statements: Statements,
  lockKey: string,
): Promise<number> {
  const rows = await readPublished(pool, statements, lockKey, (on) =>
    runStatement<{ has_pending: boolean; seq: number }>(on, statements.SELECT_LATEST_EVENT_SEQ, []),
  );
  return rows[0]!.seq;
}

/** Publishes, then deletes all but the newest `keep` events. */
export async function pruneJobEvents(
  pool: pg.Pool,
  statements: Statements,
  lockKey: string,
  params: { keep: number; before?: number | undefined },
): Promise<number> {
  const result = await publishThen(pool, statements, lockKey, (client) =>
    runStatement<{ deleted: number }>(client, statements.PRUNE_EVENTS, [
      params.keep,
      params.before ?? null,
    ]),
  );
  return result.rows[0]!.deleted;
}
