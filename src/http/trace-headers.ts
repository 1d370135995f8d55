/**
 * The W3C trace headers of a request (`traceparent`, `tracestate`): a producer's on POST /jobs
 * and /jobs/batch becomes the parent of the jobs' submit spans (and, without an SDK, their
 * stored trace context as is); a remote worker's on complete/fail the parent of the `settle`
 * span. A missing or invalid header is ignored (docs/operations.md "Tracing").
 */
import type { FastifyRequest } from "fastify";
import type { JobInput } from "../core/options.js";
import { traceContextOf, type TraceContext } from "../core/trace-context.js";

/** The trace context the request's headers carry, or null. */
export function requestTraceContext(request: FastifyRequest): TraceContext | null {
  return traceContextOf(request.headers.traceparent, request.headers.tracestate);
}

/** Gives each submission the request's trace context (the parent of its submit span). */
export function withRequestTrace(request: FastifyRequest, inputs: readonly JobInput[]): void {
  const traceContext = requestTraceContext(request);
  if (traceContext === null) return;
  for (const input of inputs) input.traceContext = traceContext;
}

/** The OpenAPI description of the submit routes' trace headers. */
export const SUBMIT_TRACE_NOTE =
  "Accepts the W3C `traceparent` (and `tracestate`) request headers: the job joins the " +
  "producer's trace, and claims hand its context to workers (`trace_context`).";

/** The OpenAPI description of the report routes' trace headers. */
export const REPORT_TRACE_NOTE =
  "Accepts the W3C `traceparent` (and `tracestate`) request headers of the worker's attempt " +
  "span: the server's span recording the outcome becomes its child.";
