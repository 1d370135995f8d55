/**
 * The HTTP side of the event feed: how a stored job event is streamed to HTTP clients (SSE,
 * `/ws`, webhooks). The feed itself lives below http, in src/events/event-feed.ts, and is owned
 * by the `Spool` (one per process).
 */
import type { EventError } from "../core/events.js";
import type { StoredJobEvent } from "../store/store.js";

/** Every field some event's `data` may hold (see `JobEventDataMap`). */
interface AnyEventData {
  attempt?: number;
  worker?: string;
  progress?: number;
  progressMessage?: string | null;
  runAt?: number;
  error?: EventError;
  runMs?: number;
  waitMs?: number;
}

/** The event as streamed to HTTP clients (snake_case; times ISO-8601). */
export function toEventResource(event: StoredJobEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {
    event: event.name,
    seq: event.seq,
    job_id: event.jobId,
    queue: event.queue,
    type: event.type,
    status: event.status,
    at: event.at.toISOString(),
    tenant: event.tenant,
  };
  const data: AnyEventData = event.data;
  if (data.attempt !== undefined) out.attempt = data.attempt;
  if (data.worker !== undefined) out.worker = data.worker;
  if (data.progress !== undefined) out.progress = data.progress;
  if (data.progressMessage !== undefined) out.progress_message = data.progressMessage;
  if (typeof data.runAt === "number") out.run_at = new Date(data.runAt).toISOString();
  if (data.error !== undefined) out.error = data.error;
  if (typeof data.runMs === "number") out.run_seconds = data.runMs / 1000;
  if (typeof data.waitMs === "number") out.wait_seconds = data.waitMs / 1000;
  return out;
}
