/**
 * How far a read of some event names went (`readNamedJobEvents`, the store contract): the last
 * event returned when `limit` were (more may follow), else the newest published event the read
 * could see — every event up to it that was not returned is not one of the names. Never behind
 * where the read started. Shared by both stores.
 */
import type { StoredJobEvent } from "../store.js";

export function namedReadEnd(
  events: readonly StoredJobEvent[],
  params: { afterSeq: number; limit: number },
  newest: number,
): number {
  const end = events.length >= params.limit ? events.at(-1)!.seq : newest;
  return Math.max(end, params.afterSeq);
}
