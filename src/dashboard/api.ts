/**
 * The dashboard's connection to the API: the signed-in key (session storage, so it ends with the
 * tab), a `SpoolClient` on this origin, and one live event stream shared by every page.
 */
import { SpoolClient, SpoolHttpError, type StreamedEvent } from "../client/client.js";
import type { z } from "zod";
import type {
  BulkJobsResponse,
  JobResource,
  ListJobsResponse,
  QueueResource,
  SessionResponse,
  StatsResponse,
  TenantResource,
  WorkerResource,
  ThroughputResponse,
} from "../http/contracts.js";

export type Job = JobResource & {
  waiting_reason?: { code: string; message: string } | null;
};
export type JobPage = ListJobsResponse;
export type Queue = z.infer<typeof QueueResource>;
export type Session = z.infer<typeof SessionResponse>;
export type Stats = z.infer<typeof StatsResponse>;
export type Tenant = z.infer<typeof TenantResource>;
export type Throughput = z.infer<typeof ThroughputResponse>;
export type BulkAnswer = z.infer<typeof BulkJobsResponse>;
export type LiveEvent = StreamedEvent & {
  seq?: number;
  queue?: string;
  type?: string;
  tenant?: string;
  at?: string;
  progress?: number;
  progress_message?: string;
  attempt?: number;
  worker?: string;
  error?: { message?: string };
};
/** A worker as `GET /workers` lists it (SPEC §6). */
export type WorkerInfo = WorkerResource;

export { SpoolHttpError };

const KEY = "spool.dashboard.key";

/** The key of this tab, or null. */
export function storedKey(): string | null {
  return sessionStorage.getItem(KEY);
}

/** Remembers (or forgets, with null) the key of this tab. */
export function storeKey(key: string | null): void {
  if (key === null) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, key);
}

/** A client on this origin with `key`. */
export function clientFor(key: string | null): SpoolClient {
  return new SpoolClient({ baseUrl: location.origin, ...(key === null ? {} : { token: key }) });
}

/** Why a key cannot use the dashboard, or null when it can. */
export function refusal(session: Session): string | null {
  if (session.role === "worker")
    return "This is a worker key: it may claim and report jobs, not use the dashboard. Sign in with an admin or producer key.";
  return null;
}

/** Checks a key (or no key) against `GET /session`. */
export async function signIn(key: string | null): Promise<Session> {
  const answer = await clientFor(key).request<Session>("GET", "/session");
  return answer.body;
}

type Listener = (event: LiveEvent) => void;

/**
 * One `GET /events` stream for the whole tab (fetch streaming, so the key travels in the
 * Authorization header rather than the URL), reconnecting with `Last-Event-ID` after a drop.
 */
export class LiveEvents {
  private readonly listeners = new Set<Listener>();
  private readonly statusListeners = new Set<(connected: boolean) => void>();
  private controller = new AbortController();
  private lastSeq: number | undefined;
  connected = false;

  constructor(private readonly client: SpoolClient) {}

  start(): void {
    void this.loop();
  }

  stop(): void {
    this.controller.abort();
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onStatus(listener: (connected: boolean) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  private setConnected(connected: boolean): void {
    if (this.connected === connected) return;
    this.connected = connected;
    for (const listener of this.statusListeners) listener(connected);
  }

  private async loop(): Promise<void> {
    const signal = this.controller.signal;
    while (!signal.aborted) {
      try {
        const stream = this.client.events("/events", {
          signal,
          ...(this.lastSeq === undefined ? {} : { lastEventId: this.lastSeq }),
        });
        this.setConnected(true);
        for await (const event of stream) {
          if (typeof event.seq === "number") this.lastSeq = event.seq;
          for (const listener of this.listeners) listener(event as LiveEvent);
        }
      } catch {
        // Dropped: retry below.
      }
      this.setConnected(false);
      if (signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }
}
