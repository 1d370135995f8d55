/**
 * A typed HTTP client for the Spool API (SPEC §2), built on `fetch`. Types come from
 * `http/contracts.ts`. Failures throw `SpoolHttpError` with the server's status and error code.
 */
import type { z } from "zod";
import type {
  AppendLogsBody,
  BatchResource,
  ClaimedJobResource,
  JobLogsResponse,
  JobResource,
  ListJobsResponse,
  ListWorkersResponse,
  PatchQueueBody,
  QueueResource,
  StatsResponse,
  SubmitJobBody,
  SubmitJobResponse,
} from "../http/contracts.js";

/** An error answer from the server. */
export class SpoolHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(`${status} ${code}: ${message}`);
    this.name = "SpoolHttpError";
  }
}

/** Options of the client. */
export interface SpoolClientOptions {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** API key (`SPOOL_TOKEN`). */
  token?: string;
}

/** A job event as streamed. */
export type StreamedEvent = Record<string, unknown> & {
  event: string;
  job_id: string;
  status: string;
};

/** See the module header. */
export class SpoolClient {
  private readonly baseUrl: string;

  constructor(private readonly options: SpoolClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
  }

  /** Sends a request and parses the JSON answer; throws SpoolHttpError for 4xx/5xx. */
  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(this.options.token === undefined
          ? {}
          : { authorization: `Bearer ${this.options.token}` }),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const parsed: unknown = text === "" ? null : safeJson(text);
    if (!response.ok) {
      const error = (
        parsed as {
          error?: { code?: string; message?: string; details?: Record<string, unknown> };
        } | null
      )?.error;
      throw new SpoolHttpError(
        response.status,
        error?.code ?? "http_error",
        error?.message ?? text,
        error?.details,
      );
    }
    return { status: response.status, body: parsed as T };
  }

  /** POST /jobs. */
  async submit(
    job: SubmitJobBody,
    options: { idempotencyKey?: string } & TraceHeaders = {},
  ): Promise<SubmitJobResponse> {
    const headers: Record<string, string> = {
      ...traceHeaders(options),
      ...(options.idempotencyKey === undefined
        ? {}
        : { "idempotency-key": options.idempotencyKey }),
    };
    return (await this.request<SubmitJobResponse>("POST", "/jobs", job, headers)).body;
  }

  /**
   * POST /jobs/batch: a batch (SPEC §8); items may carry `depends_on` (ids or `"$N"`), and
   * `onComplete` is enqueued once every job of the batch is final.
   */
  async submitBatch(
    jobs: SubmitJobBody[],
    options: { onComplete?: SubmitJobBody } = {},
  ): Promise<{ batch_id: string; jobs: SubmitJobResponse[]; count: number }> {
    const body = {
      jobs,
      ...(options.onComplete === undefined ? {} : { batch: { on_complete: options.onComplete } }),
    };
    return (
      await this.request<{ batch_id: string; jobs: SubmitJobResponse[]; count: number }>(
        "POST",
        "/jobs/batch",
        body,
      )
    ).body;
  }

  /** GET /batches/:id: counts by state, progress (percent) and the on_complete job. */
  async getBatch(id: string): Promise<BatchResource> {
    return (await this.request<BatchResource>("GET", `/batches/${encodeURIComponent(id)}`)).body;
  }

  /** GET /jobs/:id. */
  async get(id: string): Promise<JobResource> {
    return (await this.request<JobResource>("GET", `/jobs/${encodeURIComponent(id)}`)).body;
  }

  /** GET /jobs. */
  async list(
    query: {
      status?: string;
      queue?: string;
      type?: string;
      tag?: string;
      limit?: number;
      cursor?: string;
      /** Comma-separated: payload, result, errors (default: summaries without them). */
      include?: string;
    } = {},
  ): Promise<ListJobsResponse> {
    return (await this.request<ListJobsResponse>("GET", `/jobs${queryString(query)}`)).body;
  }

  /** DELETE /jobs/:id. */
  async cancel(
    id: string,
  ): Promise<{ job_id: string; status: string; cancel_requested?: boolean; job: JobResource }> {
    return (
      await this.request<{
        job_id: string;
        status: string;
        cancel_requested?: boolean;
        job: JobResource;
      }>("DELETE", `/jobs/${encodeURIComponent(id)}`)
    ).body;
  }

  /** POST /jobs/:id/retry. */
  async retry(id: string): Promise<SubmitJobResponse> {
    return (await this.request<SubmitJobResponse>("POST", `/jobs/${encodeURIComponent(id)}/retry`))
      .body;
  }

  /** GET /stats. */
  async stats(query: { queue?: string } = {}): Promise<z.infer<typeof StatsResponse>> {
    return (await this.request<z.infer<typeof StatsResponse>>("GET", `/stats${queryString(query)}`))
      .body;
  }

  /** GET /workers: the live workers. */
  async workers(): Promise<ListWorkersResponse> {
    return (await this.request<ListWorkersResponse>("GET", "/workers")).body;
  }

  /** GET /queues. */
  async queues(): Promise<z.infer<typeof QueueResource>[]> {
    return (await this.request<{ queues: z.infer<typeof QueueResource>[] }>("GET", "/queues")).body
      .queues;
  }

  /** POST /queues/:name/pause or /resume. */
  async setPaused(queue: string, paused: boolean): Promise<z.infer<typeof QueueResource>> {
    return (
      await this.request<z.infer<typeof QueueResource>>(
        "POST",
        `/queues/${encodeURIComponent(queue)}/${paused ? "pause" : "resume"}`,
      )
    ).body;
  }

  /** PATCH /queues/:name (null clears a setting). */
  async updateQueue(
    queue: string,
    body: z.infer<typeof PatchQueueBody>,
  ): Promise<z.infer<typeof QueueResource>> {
    return (
      await this.request<z.infer<typeof QueueResource>>(
        "PATCH",
        `/queues/${encodeURIComponent(queue)}`,
        body,
      )
    ).body;
  }

  /** POST /queues/:name/claim. */
  async claim(
    queue: string,
    body: {
      worker: string;
      max_jobs?: number;
      wait_seconds?: number;
      lease_seconds?: number;
      /** Job types this worker serves; omitted or `["*"]` = any. */
      types?: string[];
    },
  ): Promise<ClaimedJobResource[]> {
    return (
      await this.request<{ jobs: ClaimedJobResource[] }>(
        "POST",
        `/queues/${encodeURIComponent(queue)}/claim`,
        body,
      )
    ).body.jobs;
  }

  /** POST /jobs/:id/heartbeat. */
  async heartbeat(
    id: string,
    body: { lease_token: string; progress?: number; progress_message?: string },
  ): Promise<{ lease_expires_at: string; cancel_requested: boolean }> {
    return (
      await this.request<{ lease_expires_at: string; cancel_requested: boolean }>(
        "POST",
        `/jobs/${encodeURIComponent(id)}/heartbeat`,
        body,
      )
    ).body;
  }

  /** POST /jobs/:id/complete. */
  async complete(
    id: string,
    body: { lease_token: string; result?: unknown },
    options: TraceHeaders = {},
  ): Promise<{ job_id: string; status: string }> {
    return (
      await this.request<{ job_id: string; status: string }>(
        "POST",
        `/jobs/${encodeURIComponent(id)}/complete`,
        body,
        traceHeaders(options),
      )
    ).body;
  }

  /** POST /jobs/:id/fail. */
  async fail(
    id: string,
    body: { lease_token: string; error: { message: string; type?: string }; retryable?: boolean },
    options: TraceHeaders = {},
  ): Promise<{ job_id: string; status: string; run_at: string }> {
    return (
      await this.request<{ job_id: string; status: string; run_at: string }>(
        "POST",
        `/jobs/${encodeURIComponent(id)}/fail`,
        body,
        traceHeaders(options),
      )
    ).body;
  }

  /** GET /jobs/:id/logs: a page of the job's log lines, oldest first. */
  async logs(
    id: string,
    query: { attempt?: number; after?: number; limit?: number } = {},
  ): Promise<JobLogsResponse> {
    return (
      await this.request<JobLogsResponse>(
        "GET",
        `/jobs/${encodeURIComponent(id)}/logs${queryString(query)}`,
      )
    ).body;
  }

  /** POST /jobs/:id/logs: appends lines to the attempt holding `lease_token` (remote workers). */
  async appendLogs(
    id: string,
    body: AppendLogsBody,
  ): Promise<{ job_id: string; accepted: number; last_seq: number }> {
    return (
      await this.request<{ job_id: string; accepted: number; last_seq: number }>(
        "POST",
        `/jobs/${encodeURIComponent(id)}/logs`,
        body,
      )
    ).body;
  }

  /**
   * Follows an SSE stream (`/jobs/:id/events` or `/events`), yielding events until the server
   * ends the stream or `signal` aborts.
   */
  async *events(
    path: string,
    options: { signal?: AbortSignal; lastEventId?: number } = {},
  ): AsyncGenerator<StreamedEvent & { seq?: number }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      headers: {
        accept: "text/event-stream",
        ...(this.options.token === undefined
          ? {}
          : { authorization: `Bearer ${this.options.token}` }),
        ...(options.lastEventId === undefined
          ? {}
          : { "last-event-id": String(options.lastEventId) }),
      },
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    if (!response.ok || response.body === null) {
      const text = await response.text();
      const error = (safeJson(text) as { error?: { code?: string; message?: string } } | null)
        ?.error;
      throw new SpoolHttpError(
        response.status,
        error?.code ?? "http_error",
        error?.message ?? text,
      );
    }
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let boundary = buffer.indexOf("\n\n");
        while (boundary !== -1) {
          const block = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          const data = block
            .split("\n")
            .filter((line) => line.startsWith("data: "))
            .map((line) => line.slice(6))
            .join("\n");
          if (data !== "") yield JSON.parse(data) as StreamedEvent;
          boundary = buffer.indexOf("\n\n");
        }
      }
    } catch (error) {
      if (options.signal?.aborted) return;
      throw error;
    }
  }
}

function queryString(query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { error: { code: "invalid_response", message: text.slice(0, 500) } };
  }
}

/**
 * W3C trace headers to send with a call (docs/operations.md "Tracing"): a submission joins the
 * caller's trace; a remote worker's complete/fail joins its attempt's span.
 */
export interface TraceHeaders {
  traceparent?: string;
  tracestate?: string;
}

function traceHeaders(options: TraceHeaders): Record<string, string> {
  return {
    ...(options.traceparent === undefined ? {} : { traceparent: options.traceparent }),
    ...(options.tracestate === undefined ? {} : { tracestate: options.tracestate }),
  };
}
