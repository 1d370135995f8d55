/**
 * OpenTelemetry spans of a job's life (docs/design.md "Traces"), through `@opentelemetry/api`
 * only: without an SDK installed by the application every call here is the API's no-op, and a
 * producer's `traceparent` is still passed through to the job (a non-recording span carries
 * its parent's context).
 *
 * One job, one trace: the submit span (`send <queue>`, PRODUCER) is a child of the submitter's
 * context; its context is stored with the job (core/trace-context.ts) and every later span is a
 * child of it — the claim (`receive <queue>`, CONSUMER, one per claimed job), each attempt
 * (`process <queue>`, CONSUMER: the handler runs inside it, so its own spans nest there) and
 * the recording of the outcome (`settle <queue>`, a child of the attempt). Attribute names
 * follow the OpenTelemetry messaging semantic conventions; Spool's own are `spool.*`.
 *
 * Without an SDK the calls are skipped outright (`tracingEnabled`): a job then costs the hot
 * path one check per span rather than the API's no-op spans and context copies
 * (docs/benchmarks.md "Tracing overhead").
 */
import {
  ROOT_CONTEXT,
  ProxyTracerProvider,
  SpanKind,
  SpanStatusCode,
  context,
  createTraceState,
  trace,
  type Attributes,
  type Context,
  type Span,
} from "@opentelemetry/api";
import type { JobInput } from "../core/options.js";
import { formatTraceparent, parseTraceparent, type TraceContext } from "../core/trace-context.js";
import { SPOOL_VERSION } from "../version.js";

const tracer = trace.getTracer("spool", SPOOL_VERSION);

/** The API's no-op provider: what a fresh proxy delegates to until an SDK is registered. */
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();
/** An attempt while tracing is off: no span, no context (one shared object, nothing per job). */
export const NOT_TRACED = Object.freeze({ span: undefined, context: undefined });

/**
 * True once the application has registered a tracer provider (an SDK). The global provider is
 * the API's proxy, which delegates to the no-op provider until then; a provider registered
 * through another copy of the API is not our proxy class and counts as installed.
 */
export function tracingEnabled(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NOOP_PROVIDER;
}

/** What a span needs to know of a job. */
interface TracedJob {
  id: string;
  queue: string;
  type: string;
  tenant: string;
  attempt?: number;
  traceContext?: TraceContext | null;
}

/** The messaging attributes of a span about `job`. */
function attributesOf(job: TracedJob, operation: string, name: string): Attributes {
  const attributes: Attributes = {
    "messaging.system": "spool",
    "messaging.operation.type": operation,
    "messaging.operation.name": name,
    "messaging.destination.name": job.queue,
    "messaging.message.id": job.id,
    "spool.job.type": job.type,
    "spool.job.tenant": job.tenant,
  };
  if (job.attempt !== undefined && job.attempt > 0) attributes["spool.job.attempt"] = job.attempt;
  return attributes;
}

/**
 * The parent of a span about a job. A submit's (`preferActive`): the active span when there is
 * one (the application's own instrumentation runs the call), else the producer's header. A
 * worker's or a report's: the job's stored context only, never the active one — a claim or an
 * attempt can run in whatever context woke the worker up (an in-process submit inside another
 * job's trace), and must not join that trace. None: a new trace.
 */
export function parentContextOf(
  traceContext: TraceContext | null | undefined,
  preferActive = false,
): Context {
  const base = preferActive ? context.active() : ROOT_CONTEXT;
  if (preferActive && trace.getSpanContext(base) !== undefined) return base;
  if (traceContext == null) return base;
  const parsed = parseTraceparent(traceContext.traceparent);
  if (parsed === null) return base;
  return trace.setSpanContext(base, {
    ...parsed,
    isRemote: true,
    ...(traceContext.tracestate === null
      ? {}
      : { traceState: createTraceState(traceContext.tracestate) }),
  });
}

/** The W3C trace context of `span`, or null when it has none (no SDK and no parent). */
export function traceContextOfSpan(span: Span): TraceContext | null {
  const spanContext = span.spanContext();
  if (!trace.isSpanContextValid(spanContext)) return null;
  const state = spanContext.traceState?.serialize() ?? "";
  return { traceparent: formatTraceparent(spanContext), tracestate: state === "" ? null : state };
}

/** Records `error` on `span` and marks it failed. */
export function recordError(span: Span, error: unknown, type?: string): void {
  if (error instanceof Error) span.recordException(error);
  const errorType = type ?? (error instanceof Error ? error.name : "Error");
  span.setAttribute("error.type", errorType);
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

/**
 * Runs `insert` (the store's `enqueueJobs` of `inputs`) inside one `send <queue>` span per job —
 * children of the active context, or of the job's `traceContext` given by the HTTP layer from
 * the producer's header — each span's context stored in its job, to be inserted with it.
 */
export async function traceSubmit<T extends { job: { id: string }; duplicate: boolean }>(
  inputs: readonly JobInput[],
  insert: () => Promise<T[]>,
): Promise<T[]> {
  // Off: a producer's trace context (from the HTTP header) is stored as it came.
  if (!tracingEnabled()) return insert();
  const spans = startSubmitSpans(inputs);
  let outcomes: T[];
  try {
    outcomes = await insert();
  } catch (error) {
    spans.fail(error);
    throw error;
  }
  spans.end(outcomes);
  return outcomes;
}

interface SubmitSpans {
  end(outcomes: readonly { job: { id: string }; duplicate: boolean }[]): void;
  fail(error: unknown): void;
}

function startSubmitSpans(inputs: readonly JobInput[]): SubmitSpans {
  const spans = inputs.map((input) => {
    const span = tracer.startSpan(
      `send ${input.queue}`,
      { kind: SpanKind.PRODUCER },
      parentContextOf(input.traceContext, true),
    );
    // Attributes only on a recording span: without an SDK a job costs no attribute object.
    if (span.isRecording()) {
      span.setAttributes(attributesOf(input, "send", "send"));
      if (inputs.length > 1) span.setAttribute("messaging.batch.message_count", inputs.length);
    }
    input.traceContext = traceContextOfSpan(span);
    return span;
  });
  return {
    end(outcomes) {
      spans.forEach((span, i) => {
        const outcome = outcomes[i];
        if (outcome?.duplicate === true) {
          span.setAttribute("spool.job.duplicate", true);
          span.setAttribute("spool.job.duplicate_of", outcome.job.id);
        }
        span.end();
      });
    },
    fail(error) {
      for (const span of spans) {
        recordError(span, error);
        span.end();
      }
    },
  };
}

/**
 * Records the claim of `jobs` as one `receive <queue>` span per job, a child of the job's trace,
 * from `startTime` (a `performance.now()` reading taken before the claim) to now. Made after the
 * claim, so that empty polls leave no span.
 */
export function recordClaimSpans(
  jobs: readonly TracedJob[],
  startTime: number,
  workerId: string,
): void {
  if (!tracingEnabled()) return;
  for (const job of jobs) {
    const span = tracer.startSpan(
      `receive ${job.queue}`,
      { kind: SpanKind.CONSUMER, startTime },
      parentContextOf(job.traceContext),
    );
    if (span.isRecording()) {
      const attributes = attributesOf(job, "receive", "claim");
      attributes["messaging.consumer.group.name"] = workerId;
      if (jobs.length > 1) attributes["messaging.batch.message_count"] = jobs.length;
      span.setAttributes(attributes);
    }
    span.end();
  }
}

/** Starts the `process <queue>` span of an attempt; run the handler in `context`. */
export function startAttemptSpan(
  job: TracedJob,
  workerId: string,
): { span: Span; context: Context } | typeof NOT_TRACED {
  if (!tracingEnabled()) return NOT_TRACED;
  const parent = parentContextOf(job.traceContext);
  const span = tracer.startSpan(`process ${job.queue}`, { kind: SpanKind.CONSUMER }, parent);
  if (span.isRecording()) {
    span.setAttributes(attributesOf(job, "process", "process"));
    span.setAttribute("spool.worker.id", workerId);
  }
  return { span, context: trace.setSpan(parent, span) };
}

/**
 * Starts the `settle <queue>` span that records an attempt's outcome (`complete` or `fail`), a
 * child of `parent` (the attempt's context).
 */
export function startSettleSpan(
  job: TracedJob,
  operation: "complete" | "fail",
  parent: Context,
): Span | undefined {
  if (!tracingEnabled()) return undefined;
  const span = tracer.startSpan(`settle ${job.queue}`, { kind: SpanKind.CLIENT }, parent);
  if (span.isRecording()) span.setAttributes(attributesOf(job, "settle", operation));
  return span;
}

/**
 * Runs `record` (the store write of an attempt's outcome) inside a `settle <queue>` span, a
 * child of `parent`; the span ends failed when `record` throws (a lost lease, a store error).
 */
export async function traceSettle<T>(
  job: TracedJob,
  operation: "complete" | "fail",
  parent: Context,
  record: () => Promise<T>,
): Promise<T> {
  const span = startSettleSpan(job, operation, parent);
  if (span === undefined) return record();
  try {
    return await record();
  } catch (error) {
    recordError(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Ends an attempt's span: failed with the handler's error, or with the abort (`cause`: timeout,
 * cancelled, lease_lost) that ended it; a shutdown gives the job back, which is no failure.
 */
export function endAttemptSpan(
  span: Span,
  settled: { ok: true } | { ok: false; error: unknown } | undefined,
  cause: string | undefined,
  reason: Error | undefined,
): void {
  if (cause !== undefined) {
    span.setAttribute("spool.abort.cause", cause);
    if (cause !== "shutdown") recordError(span, reason ?? new Error(cause), cause);
  } else if (settled !== undefined && !settled.ok) {
    recordError(span, settled.error);
  }
  span.end();
}
